"""DataScannedInBytes as Athena counts it: for Parquet, only the column chunks of the columns a query uses.

Why: Athena bills the bytes it reads, and on a columnar format it reads only the columns the query needs
("Athena pricing": compressing, partitioning and converting data to columnar formats cut the data scanned;
https://aws.amazon.com/athena/pricing/ and https://docs.aws.amazon.com/athena/latest/ug/columnar-storage.html).
A test asserting how little an incremental read scans must see that, not whole object sizes. Partition pruning
happens before (only matching partitions' files are counted at all); row formats (CSV, JSON) are read whole.
Each Parquet file also costs its footer, which a reader must fetch to find the column chunks.
"""

from __future__ import annotations

import threading
from collections import Counter

import pyarrow.parquet as pq
from sqlglot import exp


def referenced_columns(ast: exp.Expr, columns: list[str]) -> set[str] | None:
    """Lower-case names of ``columns`` the query refers to anywhere; None when it selects ``*`` (all of them).

    Over-approximates on purpose (a name used for another table's column counts too): never fewer bytes than
    Athena would scan for the same columns."""
    for select in ast.find_all(exp.Select):
        for projection in select.expressions:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                return None
    used = {column.name.lower() for column in ast.find_all(exp.Column)}
    return {name.lower() for name in columns if name.lower() in used}


class ParquetColumnBytes:
    """Compressed bytes per top-level column of local Parquet copies (cached: a copy's path names its ETag)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sizes: dict[str, tuple[int, Counter[str]]] = {}

    def scanned(self, path: str, columns: set[str] | None) -> int:
        """Footer plus the column chunks of ``columns`` (all columns when None) in every row group."""
        footer, sizes = self._of(path)
        return footer + sum(size for name, size in sizes.items() if columns is None or name in columns)

    def _of(self, path: str) -> tuple[int, Counter[str]]:
        with self._lock:
            cached = self._sizes.get(path)
        if cached is not None:
            return cached
        metadata = pq.ParquetFile(path).metadata
        sizes: Counter[str] = Counter()
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                chunk = row_group.column(index)
                sizes[chunk.path_in_schema.split(".", 1)[0].lower()] += chunk.total_compressed_size
        result = (metadata.serialized_size, sizes)
        with self._lock:
            self._sizes[path] = result
        return result
