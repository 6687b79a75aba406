"""Requester Pays buckets: S3 refuses a request that does not accept the charges (``x-amz-request-payer``).

Why: public and shared data sets often sit in Requester Pays buckets of another account. "After you configure a
bucket to be a Requester Pays bucket, requesters must show they understand that they will be charged for the
request and for the data download" by sending ``x-amz-request-payer: requester``; without it S3 answers
``403 Forbidden`` (AccessDenied); bucket owners need not send it
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ObjectsinRequesterPaysBuckets.html). moto stores a bucket's
payer (PutBucketRequestPayment) but ignores the header. The stand-in has a single account, so a bucket set to
Requester Pays here stands for another account's shared bucket: every request to it must accept the charges.
``charged`` counts the requests that did, so a test can see the connector send the header.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from . import moto_state
from .wsgi import operation_of

HEADER = "HTTP_X_AMZ_REQUEST_PAYER"
# Bucket-level requests that configure or locate the bucket (its owner's business, or any caller's).
_UNCHARGED = {"ListBuckets", "CreateBucket", "GetBucketLocation"}


def requester_pays(bucket: str) -> bool:
    """Whether moto holds the bucket with Payer=Requester (PutBucketRequestPayment)."""
    found = moto_state.s3_backend().buckets.get(bucket)
    return found is not None and str(getattr(found, "payer", "BucketOwner")) == "Requester"


def make_requester_pays(bucket: str, region: str) -> None:
    """Test set-up: the bucket (created if missing) becomes Requester Pays, as PutBucketRequestPayment makes it."""
    moto_state.ensure_bucket(bucket, region)
    moto_state.s3_backend().buckets[bucket].payer = "Requester"


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
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
            f"<RequestId>{uuid.uuid4()}</RequestId></Error>"
        ).encode()
        data = b"" if environ.get("REQUEST_METHOD") == "HEAD" else body
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(data)))])
        return [data]
