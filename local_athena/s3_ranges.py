"""S3 GetObject with one byte range: served from those bytes alone, and refused (416 InvalidRange) where S3 does.

Why: (1) cost. moto reads the whole object for every GetObject and slices the range afterwards
(moto/s3/responses.py 5.2.5: ``get_object`` returns ``key.value``, ``key_response`` -> ``_handle_range_header``):
a 120 MB UNLOAD file fetched as 15 parts of 8 MiB cost 15 whole-object copies here (measured 1.0 s against 0.12 s
for one whole GET, and 61 ms for its last 64 KiB), where S3 serves a range at the cost of its length, so the
connector's ranged reads would be measured against a stand-in slower than S3 in a way S3 is not.
(2) an empty object. A range with a first byte is never satisfiable on a 0-byte object: S3 answers ``bytes=0-``
with 416 InvalidRange (AWS's own response quoted in minio/minio-java#636 and minio/minio#17713). A suffix range
``bytes=-n`` of a 0-byte object is not refused: S3 answers 200 with an empty body and no Content-Range (the AWS
response quoted in apache/arrow-rs-object-store#846; Trino's S3 file-system tests read the tail of an empty object
and expect an empty read, floci-io/floci#1141), although RFC 9110 §14.1.1 would have it unsatisfiable.
The rest follows the S3 API reference (GetObject, "Range": one range per request, RFC 9110 §14.1.2 semantics):
``bytes=a-b`` past the end is cut at the last byte, a start at or past the end is 416 InvalidRange, a suffix
``bytes=-n`` longer than the object is the whole object (206, ``Content-Range: bytes 0-(size-1)/size``), and a
header that is not one valid range is ignored (the whole object, 200) as moto already does.
"""

from __future__ import annotations

import re
from typing import Any

from moto.s3.exceptions import InvalidRange
from moto.s3.responses import S3Response

from . import moto_patching

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# GetObject query parameters that rewrite response headers (response-content-type, …): moto's own path handles them.
_OVERRIDES = ("response-",)


def resolve(spec: str, size: int) -> tuple[int, int] | None:
    """The [first, last] byte positions a Range header selects in an object of `size` bytes.

    None when the header is not one valid range (the whole object is served); InvalidRange when the range
    cannot be satisfied (RFC 9110 §14.1.1-14.1.2).
    """
    match = _ONE_RANGE.fullmatch(spec.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        length = int(last_text)
        if size == 0 and length > 0:
            return None  # S3: 200, the whole (empty) object (see the module docstring)
        if length == 0 or size == 0:
            raise InvalidRange(actual_size=str(size), range_requested=spec)
        return max(0, size - length), size - 1
    first = int(first_text)
    last = size - 1 if last_text == "" else int(last_text)
    if last < first:
        return None  # RFC 9110 §14.1.1: an invalid range-spec makes the header ignored
    if first >= size:
        raise InvalidRange(actual_size=str(size), range_requested=spec)
    return first, min(last, size - 1)


def _plain(response: Any) -> bool:
    """Whether the request is a GetObject moto's own path must answer (no Range, parts, header overrides)."""
    query = response.querystring
    if not response.headers.get("range") or "partNumber" in query:
        return True
    return any(name.startswith(_OVERRIDES) for name in query)


def ranged_get_object(original: Any, response: Any) -> Any:
    """GetObject of one byte range: read from the stored object at the range's offset, 206 with Content-Range."""
    if _plain(response):
        return original(response)
    key, not_modified = response._get_key()
    span = None if not_modified else resolve(response.headers["range"], key.size)
    if span is None:
        return original(response)
    first, last = span
    headers = response._get_cors_headers_other()
    if key.version_id != "null":
        headers["x-amz-version-id"] = key.version_id
    headers.update(key.response_dict)
    headers.update(key.metadata)
    headers["Accept-Ranges"] = "bytes"
    with key.lock:
        key._value_buffer.seek(first)
        body = key._value_buffer.read(last - first + 1)
    headers["content-range"] = f"bytes {first}-{last}/{key.size}"
    headers["content-length"] = str(len(body))
    return 206, headers, body


def apply() -> None:
    """Serve single-range GetObject calls from the range alone (``remove()`` restores moto's handler)."""
    original = S3Response.get_object

    def get_object(response: Any) -> Any:
        return ranged_get_object(original, response)

    moto_patching.replace(S3Response, "get_object", get_object)


def remove() -> None:
    moto_patching.remove(S3Response, ("get_object",))
