"""Three ways to fetch a finished query's rows as Arrow record batches, behind one interface.

- unload.py: `UNLOAD … TO s3://… WITH (format='PARQUET')` files, listed by the manifest (typed, compressed, fastest)
- csv.py:    the `<QueryExecutionId>.csv` result file, streamed through pyarrow.csv
- api.py:    GetQueryResults paging (last resort: when the result location cannot be read)
Each reader yields batches whose columns are in the SELECT's order, and deletes what it read when asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from source_skoot_athena.types import API, CSV, PARQUET, ReadPath

if TYPE_CHECKING:  # the readers import pyarrow; `split_s3_uri` serves the query side too, before it is loaded
    import pyarrow as pa

__all__ = ["API", "CSV", "PARQUET", "ResultReader", "split_s3_uri"]


class ResultReader(Protocol):
    """A finished query's rows, batch by batch; `cleanup` deletes the result files it read."""

    path: ReadPath

    def batches(self) -> Iterator[pa.RecordBatch]: ...

    def cleanup(self) -> None: ...


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/key` -> (`bucket`, `some/key`)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key
