"""How the in-process stand-in lays out UNLOAD files for one scenario: rows per file, and one row group per file.

Why: Athena decides both. Its writers roll files at their own size, and Trino's Parquet writer closes a row
group at ``parquet.writer.block-size``, 128 MB by default (trinodb/trino, docs/src/main/sphinx/object-storage/
file-formats.md, "Parquet format configuration properties"), so a ~120 MB file of 2.5M rows × 10 columns can be
one row group. The stand-in writes a row group per 65,536-row batch; the scale benchmark must also read files
whose only row group is the whole file (a reader that buffers a row group would hold it all). The bench sets the
file size through ``local_athena.result_files.ROWS_PER_UNLOAD_FILE`` and, here, the row groups, for its own run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from local_athena import result_files

STANDIN_ROW_GROUP_ROWS = 65_536  # write_unload's batches (``to_arrow_reader(65536)``): one row group each


class OneRowGroupWriter:
    """A ``pq.ParquetWriter`` stand-in that keeps a file's batches and writes them as ONE row group at close."""

    def __init__(self, where: str, schema: pa.Schema, **options: Any) -> None:
        self._where = where
        self._schema = schema
        self._options = options
        self._batches: list[pa.RecordBatch] = []

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self._batches.append(batch)

    def close(self) -> None:
        table = pa.Table.from_batches(self._batches, schema=self._schema)
        self._batches = []
        pq.write_table(table, self._where, row_group_size=max(1, table.num_rows), **self._options)


class _ParquetWithOneRowGroupFiles:
    """``pyarrow.parquet`` as ``result_files`` sees it, except that its ParquetWriter writes one row group."""

    ParquetWriter = OneRowGroupWriter

    def __getattr__(self, name: str) -> Any:
        return getattr(pq, name)


@contextlib.contextmanager
def unload_files(rows_per_file: int, *, one_row_group: bool = False) -> Iterator[None]:
    """While inside: the stand-in's UNLOAD writes files of ``rows_per_file`` rows (one row group each if asked)."""
    saved_rows, saved_pq = result_files.ROWS_PER_UNLOAD_FILE, result_files.pq
    result_files.ROWS_PER_UNLOAD_FILE = rows_per_file
    if one_row_group:
        setattr(result_files, "pq", _ParquetWithOneRowGroupFiles())  # noqa: B010 (a module attribute of another type)
    try:
        yield
    finally:
        result_files.ROWS_PER_UNLOAD_FILE = saved_rows
        setattr(result_files, "pq", saved_pq)  # noqa: B010
