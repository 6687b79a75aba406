"""A WSGI hook in front of moto's dispatcher: names each call, counts it, injects latency and AWS errors.

Why: injected errors must look on the wire exactly like AWS's (JSON ``__type`` for Athena/Glue, XML for S3 and
the query protocol) so botocore's error parsing and retry logic react as they would against AWS.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

from .faults import ErrorRule, StreamRate
from .runtime import Runtime

_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/")
_TARGET_SERVICES = {"AmazonAthena": "athena", "AWSGlue": "glue"}


Query = dict[str, list[str]]


def _s3_get(key: str | None, query: Query) -> str:
    if key:
        return "GetObjectTagging" if "tagging" in query else "GetObject"
    if query.get("list-type") == ["2"]:
        return "ListObjectsV2"
    for marker, operation in (("location", "GetBucketLocation"), ("versions", "ListObjectVersions")):
        if marker in query:
            return operation
    return "ListMultipartUploads" if "uploads" in query else "ListObjects"


def _s3_put(key: str | None, query: Query, environ: dict[str, Any]) -> str:
    if not key:
        return "CreateBucket"
    if "partNumber" in query:
        return "UploadPart"
    return "CopyObject" if "HTTP_X_AMZ_COPY_SOURCE" in environ else "PutObject"


def _s3_delete(key: str | None, query: Query) -> str:
    if not key:
        return "DeleteBucket"
    return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"


def _s3_post(query: Query) -> str:
    for marker, operation in (
        ("delete", "DeleteObjects"),
        ("uploads", "CreateMultipartUpload"),
        ("uploadId", "CompleteMultipartUpload"),
    ):
        if marker in query:
            return operation
    return "POSTObject"


def _s3_operation(method: str, path: str, query: Query, environ: dict[str, Any]) -> str:
    """The S3 API operation of a path-style request (S3 names none on the wire: method, key and sub-resource do)."""
    bucket, _, key_text = path.lstrip("/").partition("/")
    key = key_text or None
    if not bucket:
        return "ListBuckets"
    if method == "GET":
        return _s3_get(key, query)
    if method == "HEAD":
        return "HeadObject" if key else "HeadBucket"
    if method == "PUT":
        return _s3_put(key, query, environ)
    if method == "DELETE":
        return _s3_delete(key, query)
    if method == "POST":
        return _s3_post(query)
    return f"{method}Object"


def operation_of(environ: dict[str, Any]) -> tuple[str, str]:
    """(service, operation) of a request, e.g. ("athena", "StartQueryExecution"), ("s3", "GetObject")."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if "." in target:
        prefix, op = target.split(".", 1)
        return _TARGET_SERVICES.get(prefix, prefix.lower()), op
    m = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = m.group(1) if m else "s3"
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if service == "s3":
        return "s3", _s3_operation(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), query, environ)
    action = query.get("Action", [""])[0]
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        body = environ["wsgi.input"].read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    return service, action or "Unknown"


def _error_response(service: str, rule: ErrorRule) -> tuple[str, list[tuple[str, str]], bytes]:
    request_id = str(uuid.uuid4())
    status = f"{rule.status} {'Service Unavailable' if rule.status == 503 else 'Error'}"
    if service in ("athena", "glue"):
        body: dict[str, Any] = {"__type": rule.code, "message": rule.message, "Message": rule.message}
        if rule.reason:
            body["Reason"] = rule.reason
        data = json.dumps(body).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", rule.code),
        ]
        return status, headers, data
    if service == "s3":
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
            f"{rule.code}</Code><Message>{rule.message}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()
    xml = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{rule.code}</Code><Message>{rule.message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()


PACE_BYTES = 64 << 10  # a throttled body is sent in pieces of this size


def paced(body: Iterable[bytes], rate: StreamRate) -> Iterator[bytes]:
    """The body's bytes, sent no faster than ``rate.bytes_per_second`` (S3's per-stream rate: faults.StreamRate)."""
    started = time.monotonic()
    sent = 0
    try:
        for chunk in body:
            for offset in range(0, len(chunk), PACE_BYTES):
                piece = chunk[offset : offset + PACE_BYTES]
                sent += len(piece)
                rate.sent += len(piece)  # counted before it is sent: a client that has the bytes sees them counted
                yield piece
                ahead = sent / rate.bytes_per_second - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


class FaultHook:
    """WSGI middleware: count, delay, maybe fail, else hand over to moto."""

    def __init__(self, app: Callable[..., Iterable[bytes]], runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        service, op = operation_of(environ)
        name = f"{service}:{op}"
        rt = self.runtime
        rt.count_call(name, int(environ.get("REMOTE_PORT") or 0))
        if name == "s3:GetObject":
            rt.count_object_read(path.lstrip("/"), environ.get("HTTP_RANGE", ""))
        delay = rt.faults.latency_for(name)
        if delay > 0:
            time.sleep(delay)
        hold = rt.faults.hold_for(name, environ.get("HTTP_RANGE", ""))
        if hold is not None:
            hold.release.wait(hold.seconds)
        rule = rt.faults.take_error(name)
        if rule is not None:
            status, headers, data = _error_response(service, rule)
            if environ.get("REQUEST_METHOD") == "HEAD":
                data = b""
            headers.append(("Content-Length", str(len(data))))
            start_response(status, headers)
            return [data]
        rate = rt.faults.rate_for(name)
        if rate is not None:
            return paced(self.app(environ, start_response), rate)
        return self.app(environ, start_response)


def s3_access_denied(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """S3's 403 AccessDenied as S3 answers it: an XML Error body, none for HEAD (a HEAD response has no body)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
        f"<RequestId>{uuid.uuid4()}</RequestId></Error>"
    ).encode()
    data = b"" if environ.get("REQUEST_METHOD") == "HEAD" else body
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(data)))])
    return [data]
