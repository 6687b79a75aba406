"""S3's answer to a request signed for another Region than the bucket's: 400, with the bucket's Region named.

Why: a workgroup's results bucket (or a data bucket) can live in another Region than the workgroup, and an S3
client of the workgroup's Region then signs for the wrong Region. S3 refuses such a SigV4 request with
``400 AuthorizationHeaderMalformed`` ("the region 'X' is wrong; expecting 'Y'", the bucket's Region in the
``<Region>`` element; https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) and names the Region in
the ``x-amz-bucket-region`` header (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html); a HEAD
request gets the 400 without a body (botocore's ``S3RegionRedirectorv2.redirect_from_error``, botocore/utils.py,
github.com/boto/botocore, relies on exactly that). botocore follows such answers itself, at the cost of a failed
round trip per client and bucket; ``misdirected`` counts them so a test can see a client sign for the right Region.

``GetBucketLocation`` is answered whatever the signing Region: it is how a caller learns the bucket's Region
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html), and S3's global endpoint answers it
for every bucket. Athena itself writes results to, and reads data from, buckets of any Region (a cross-Region
transfer; the Athena guide only recommends a results bucket "Using the same AWS Region":
https://docs.aws.amazon.com/athena/latest/ug/creating-databases-prerequisites.html; not verified against AWS that
no Region is refused), so the stand-in's Athena is not restricted.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from . import moto_state
from .wsgi import operation_of

_SIGNING_REGION = re.compile(r"Credential=[^/]+/\d+/([^/]+)/s3/")
# Requests that name no bucket, create one, or ask where one is: answered in any Region.
_ANY_REGION = {"ListBuckets", "CreateBucket", "GetBucketLocation"}


def bucket_region(bucket: str) -> str | None:
    """The Region moto created the bucket in (None: no such bucket, left to moto to answer NoSuchBucket)."""
    found = moto_state.s3_backend().buckets.get(bucket)
    return str(found.region_name) if found is not None else None


def wrong_region_answer(environ: dict[str, Any], signed: str, region: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """S3's 400 AuthorizationHeaderMalformed for a request signed for ``signed`` to a bucket in ``region``."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>The '
        f"authorization header is malformed; the region '{signed}' is wrong; expecting '{region}'</Message>"
        f"<Region>{region}</Region><RequestId>{uuid.uuid4()}</RequestId></Error>"
    ).encode()
    data = b"" if environ.get("REQUEST_METHOD") == "HEAD" else body
    headers = [("Content-Type", "application/xml"), ("x-amz-bucket-region", region), ("Content-Length", str(len(data)))]
    return "400 Bad Request", headers, data


class BucketRegions:
    """WSGI middleware in front of moto: refuses S3 requests signed for another Region than their bucket's."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.misdirected: Counter[str] = Counter()  # "s3:Operation" -> requests answered 400 for their Region
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the requests counted so far."""
        with self._lock:
            self.misdirected.clear()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        signed = _SIGNING_REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
        if signed is None or environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        service, operation = operation_of(environ)
        bucket = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
        region = bucket_region(bucket) if service == "s3" and bucket and operation not in _ANY_REGION else None
        if region is None or region == signed.group(1):
            return self.app(environ, start_response)
        with self._lock:
            self.misdirected[f"s3:{operation}"] += 1
        status, headers, data = wrong_region_answer(environ, signed.group(1), region)
        start_response(status, headers)
        return [data]
