"""Ranged GetObject calls written straight into a sparse local file, at most `PIECE_BYTES` in memory at a time.

Why: a Parquet reader needs the footer (the object's last bytes) before anything else, then column chunks
anywhere in the file; S3 serves any byte range (GetObject `Range`, RFC 9110 §14.1.2), so each range is fetched
into its place in the local copy with `os.pwrite` and no whole object or part is ever held in memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import botocore.exceptions

# Bytes read from a GetObject body and written before the next read: bounds memory per fetch.
PIECE_BYTES = 1 << 20
# The first GET of an object asks for its last bytes: one round trip gives the size (Content-Range) and, for
# Athena's files, the whole Parquet footer; pyarrow reads the last 64 KiB first too (its default footer read).
FOOTER_GUESS_BYTES = 64 << 10
PARQUET_TAIL = 8  # a Parquet file ends with the footer's length (4 bytes, little-endian) and b"PAR1"


def copy_range(body: Any, fd: int, offset: int, progress: Callable[[int], bool]) -> int:
    """Write a GetObject body at `offset` piece by piece; `progress(bytes so far)` False stops early. Bytes written."""
    written = 0
    try:
        while piece := body.read(PIECE_BYTES):
            os.pwrite(fd, piece, offset + written)
            written += len(piece)
            if not progress(written):
                break
    finally:
        body.close()
    return written


def object_size(response: dict[str, Any]) -> int:
    """The whole object's size from a ranged GetObject response (`bytes a-b/size`; a 200 has no Content-Range)."""
    content_range = response.get("ContentRange")
    if content_range:
        return int(content_range.rsplit("/", 1)[1])
    return int(response["ContentLength"])


def get_tail(s3: Any, bucket: str, key: str, fd: int) -> tuple[int, int]:
    """Fetch the object's last `FOOTER_GUESS_BYTES` (and the rest of a larger Parquet footer) into `fd`.

    Returns (size, start of the bytes fetched). A 0-byte object is (0, 0): S3 answers this suffix range of it
    with 200 and no body (apache/arrow-rs-object-store#846), a store that follows RFC 9110 §14.1.1 with 416
    InvalidRange (no range of an empty representation is satisfiable); either way, (0, 0).
    """
    try:
        response = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=-{FOOTER_GUESS_BYTES}")
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidRange":
            return 0, 0
        raise
    size = object_size(response)
    start = size - int(response["ContentLength"])
    os.ftruncate(fd, size)
    copy_range(response["Body"], fd, start, lambda _: True)
    needed = footer_bytes(fd, size)
    if needed > size - start and needed <= size:
        more = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={size - needed}-{start - 1}")
        copy_range(more["Body"], fd, size - needed, lambda _: True)
        start = size - needed
    return size, start


def footer_bytes(fd: int, size: int) -> int:
    """How many bytes at the end of the file the Parquet footer needs (0 if the file does not end as Parquet)."""
    if size < PARQUET_TAIL:
        return 0
    tail = os.pread(fd, PARQUET_TAIL, size - PARQUET_TAIL)
    if tail[4:] != b"PAR1":
        return 0
    return int.from_bytes(tail[:4], "little") + PARQUET_TAIL
