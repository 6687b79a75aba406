"""S3's bucket owner condition: ``x-amz-expected-bucket-owner`` on a request to a bucket another account owns fails.

Why: an Athena workgroup can name the results bucket's expected owner (``ResultConfiguration.ExpectedBucketOwner``)
and the connector then sends it on every S3 call it makes to that bucket. "If the bucket is owned by a different
account, the request fails with the HTTP status code 403 Forbidden (access denied)"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html). moto ignores the header. Every
stand-in bucket is owned by the stand-in's account; ``checked`` counts S3 requests that carried the header, so a
test can see the connector sends it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from . import moto_state
from .wsgi import operation_of, s3_access_denied

HEADER = "HTTP_X_AMZ_EXPECTED_BUCKET_OWNER"


class BucketOwnerCondition:
    """WSGI middleware in front of moto: refuses S3 requests whose expected bucket owner is another account."""

    def __init__(self, app: Callable[..., Iterable[bytes]], owner: str = moto_state.ACCOUNT_ID) -> None:
        self.app = app
        self.owner = owner
        self.checked: Counter[str] = Counter()  # "s3:Operation" -> requests that carried the header
        self.unchecked: Counter[str] = Counter()  # bucket -> S3 requests without the header
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        expected = environ.get(HEADER)
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        if not expected:
            if operation_of(environ)[0] == "s3":
                with self._lock:
                    self.unchecked[_bucket_of(environ)] += 1
            return self.app(environ, start_response)
        service, operation = operation_of(environ)
        if service != "s3":
            return self.app(environ, start_response)
        with self._lock:
            self.checked[f"s3:{operation}"] += 1
        if expected == self.owner:
            return self.app(environ, start_response)
        return s3_access_denied(environ, start_response)


def _bucket_of(environ: dict[str, Any]) -> str:
    """The request's bucket: path-style (`/bucket/key`, what botocore uses for an IP endpoint) or virtual-hosted."""
    first = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
    return first or environ.get("HTTP_HOST", "").split(".", 1)[0]
