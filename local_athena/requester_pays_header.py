"""S3's side of Requester Pays buckets (``requester_pays.py``): a request without ``x-amz-request-payer`` is refused.

Why: "requesters must show they understand that they will be charged" by sending ``x-amz-request-payer:
requester``; without it S3 answers 403 AccessDenied
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/ObjectsinRequesterPaysBuckets.html). moto ignores the
header. ``charged`` counts the requests that accepted the charges, so a test can see the connector send it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .requester_pays import requester_pays
from .wsgi import operation_of, s3_access_denied

HEADER = "HTTP_X_AMZ_REQUEST_PAYER"
# Bucket-level requests that create or locate the bucket: answered to any caller.
_UNCHARGED = {"ListBuckets", "CreateBucket", "GetBucketLocation"}


class RequesterPays:
    """WSGI middleware in front of moto: refuses requests to a Requester Pays bucket that do not accept charges."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.charged: Counter[str] = Counter()  # "s3:Operation" -> requests that accepted the charges
        self.refused: Counter[str] = Counter()  # "s3:Operation" -> requests refused for not accepting them
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the requests counted so far."""
        with self._lock:
            self.charged.clear()
            self.refused.clear()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        service, operation = operation_of(environ)
        bucket = path.lstrip("/").split("/", 1)[0]
        if (
            service != "s3"
            or not bucket
            or operation in _UNCHARGED
            or "requestPayment" in environ.get("QUERY_STRING", "")
        ):
            return self.app(environ, start_response)
        if not requester_pays(bucket):
            return self.app(environ, start_response)
        accepted = environ.get(HEADER, "").lower() == "requester"
        with self._lock:
            (self.charged if accepted else self.refused)[f"s3:{operation}"] += 1
        if accepted:
            return self.app(environ, start_response)
        return s3_access_denied(environ, start_response)
