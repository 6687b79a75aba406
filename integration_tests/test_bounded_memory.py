"""The result readers hold a bounded amount of a result in memory, whatever the size of its files.

Athena decides how large its UNLOAD files and row groups are (often 100 MB+, sometimes one row group) and how
large the result CSV is. These tests read multi-MB results through the shipped readers against the stand-in,
with tiny buffer limits, and check that no single S3 read exceeds the limit (the S3 client is wrapped, not our
code), that Arrow's allocations stay far below the size of the one row group or file, and that every value
arrives unchanged.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from local_athena import LocalAthena
from local_athena.testing import run as run_query
from source_skoot_athena.results import csv as csv_results
from source_skoot_athena.results import ranged_copy, ranged_get, unload
from source_skoot_athena.results.csv import CsvResult
from source_skoot_athena.results.unload import UnloadResult
from source_skoot_athena.types import parse_type

BUCKET = "skoot-athena-results"
ROWS = 1_000_000
PIECE = 64 * 1024
# Arrow buffers must not be freed while the pool that allocated them is gone: the pools outlive the tests.
_POOLS: list[pa.MemoryPool] = []


class CountingBody:
    """A GetObject body that records the size of every read the reader makes."""

    def __init__(self, body: Any, reads: list[int]) -> None:
        self._body = body
        self._reads = reads

    def read(self, amount: int | None = None) -> bytes:
        data: bytes = self._body.read(amount)
        self._reads.append(len(data))
        return data

    def close(self) -> None:
        self._body.close()

    @property
    def closed(self) -> bool:
        return bool(self._body.closed) if hasattr(self._body, "closed") else False


class CountingS3:
    """boto3's S3 client, with every GetObject body counted (everything else passes through)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.reads: list[int] = []

    def get_object(self, **kwargs: Any) -> dict[str, Any]:
        response: dict[str, Any] = self._client.get_object(**kwargs)
        response["Body"] = CountingBody(response["Body"], self.reads)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@contextlib.contextmanager
def tracked_pool() -> Iterator[pa.MemoryPool]:
    """Arrow's default pool swapped for a proxy that records the peak of what is allocated meanwhile."""
    previous = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(pa.system_memory_pool())
    _POOLS.append(pool)
    pa.set_memory_pool(pool)
    try:
        yield pool
    finally:
        pa.set_memory_pool(previous)


def assert_batches_equal(batches: Iterator[pa.RecordBatch], table: pa.Table) -> None:
    """Each batch equals the next rows of `table` (compared one batch at a time, none kept)."""
    offset = 0
    for batch in batches:
        expected = table.slice(offset, batch.num_rows)
        assert pa.Table.from_batches([batch]).rename_columns(table.column_names).equals(expected)
        offset += batch.num_rows
    assert offset == table.num_rows


def big_table() -> pa.Table:
    return pa.table(
        {
            "n": pa.array(range(ROWS), pa.int64()),
            "s": pa.array([f"row {i} with some text to make it wider" for i in range(ROWS)], pa.string()),
        }
    )


def put_single_row_group_file(athena: LocalAthena, table: pa.Table, key: str) -> tuple[str, int]:
    """One Parquet file with ONE row group under `key`, and a manifest naming it; returns (manifest, row group size)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy", row_group_size=table.num_rows)
    s3 = athena.client("s3")
    s3.put_object(Bucket=BUCKET, Key=key + "data-00000", Body=sink.getvalue())
    s3.put_object(Bucket=BUCKET, Key=key + "manifest.csv", Body=f"s3://{BUCKET}/{key}data-00000\n".encode())
    metadata = pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata
    assert metadata.num_row_groups == 1
    return f"s3://{BUCKET}/{key}manifest.csv", metadata.row_group(0).total_byte_size


def test_unload_file_of_one_big_row_group_is_read_in_bounded_pieces(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranged_get, "PIECE_BYTES", PIECE)
    monkeypatch.setattr(ranged_copy, "PART_BYTES", 16 * PIECE)
    monkeypatch.setattr(unload, "READ_BUFFER_BYTES", PIECE)
    table = big_table()
    manifest, row_group_bytes = put_single_row_group_file(athena, table, "bounded/one-row-group/")
    s3 = CountingS3(athena.client("s3"))
    reader = UnloadResult(s3, manifest, "s3://skoot-athena-results/bounded/one-row-group/")

    with tracked_pool() as pool:
        assert_batches_equal(reader.batches(), table)

    file_size = athena.client("s3").head_object(Bucket=BUCKET, Key="bounded/one-row-group/data-00000")
    data_reads = s3.reads[1:]  # the manifest first
    assert sum(data_reads) == file_size["ContentLength"] > 20 * PIECE, "each byte is fetched once"
    assert max(data_reads) <= PIECE, "the file is copied piece by piece (of each ranged part), never read whole"
    # Decoded batches and page buffers only: far below the one row group's decoded size.
    assert pool.max_memory() < row_group_bytes / 4, (pool.max_memory(), row_group_bytes)


def test_unload_temp_files_are_removed_when_the_reader_stops_early(
    athena: LocalAthena, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    manifest, _ = put_single_row_group_file(athena, big_table(), "bounded/early-stop/")
    batches = UnloadResult(athena.client("s3"), manifest, "s3://skoot-athena-results/bounded/early-stop/").batches()
    assert isinstance(batches, Generator)
    assert next(batches).num_rows > 0
    assert list(tmp_path.iterdir()), "the file is read from a local copy"
    batches.close()
    assert list(tmp_path.iterdir()) == []


def test_result_csv_is_streamed_in_bounded_reads(athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_results, "BLOCK_BYTES", PIECE)
    table = big_table()
    athena.put_table("bounded_memory", "wide_rows", table)
    finished = run_query(athena.client("athena"), 'SELECT n, s FROM "bounded_memory"."wide_rows" ORDER BY n')
    location = finished["ResultConfiguration"]["OutputLocation"]
    s3 = CountingS3(athena.client("s3"))
    reader = CsvResult(s3, location, ["n", "s"], [parse_type("bigint"), parse_type("string")])

    with tracked_pool() as pool:
        assert_batches_equal(reader.batches(), table)

    bucket, key = location[5:].split("/", 1)
    size = athena.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"]
    assert sum(s3.reads) == size > 20 * PIECE
    assert max(s3.reads) <= PIECE, "the result CSV is streamed block by block, never read whole"
    assert pool.max_memory() < size / 4, (pool.max_memory(), size)
