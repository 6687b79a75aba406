"""S3 objects copied to local temp files in fixed-size pieces, so no result file is ever held in memory.

Why: Athena writes UNLOAD files of whatever size its writers produce (often 100 MB+, one row group or many).
Reading an object whole into memory made peak RSS grow with the file size; a streamed copy to disk keeps it at
one piece (`PIECE_BYTES`), and the Parquet reader then reads the local file in small buffered ranges. One
GetObject per file streams at full bandwidth (many small ranged GETs would each pay a request's latency).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from source_skoot_athena.aws import aws_call
from source_skoot_athena.results import split_s3_uri

PIECE_BYTES = 1 << 20


def spill_object(s3: Any, uri: str, directory: str) -> Path:
    """Copy the object at `uri` into a new file under `directory`, `PIECE_BYTES` at a time; returns its path."""
    bucket, key = split_s3_uri(uri)
    fd, name = tempfile.mkstemp(dir=directory, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, aws_call("s3:GetObject", what=uri):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            try:
                while piece := body.read(PIECE_BYTES):
                    out.write(piece)
            finally:
                body.close()
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)
