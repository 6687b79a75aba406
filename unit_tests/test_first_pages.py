"""The byte ranges prefetched for a file's first batch: the start of each column chunk of its first row group."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from source_skoot_athena.results import unload
from source_skoot_athena.results.unload import first_pages


def metadata_of(table: pa.Table, row_group_rows: int) -> tuple[pq.FileMetaData, bytes]:
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=row_group_rows, use_dictionary=["word"], compression="snappy")
    return pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata, sink.getvalue()


def test_each_column_chunk_of_row_group_0_from_its_first_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unload, "FIRST_PAGES_BYTES", 4096)
    rows = 50_000
    table = pa.table({"n": pa.array(range(rows), pa.int64()), "word": pa.array([f"w{i % 7}" for i in range(rows)])})
    metadata, data = metadata_of(table, 20_000)
    group = metadata.row_group(0)
    assert group.column(1).has_dictionary_page

    ranges = first_pages(metadata)

    assert len(ranges) == 2
    for (start, stop), chunk in zip(ranges, (group.column(0), group.column(1)), strict=True):
        first_page = min(p for p in (chunk.dictionary_page_offset, chunk.data_page_offset) if p)
        assert start == first_page
        assert stop == start + min(chunk.total_compressed_size, 4096)
    assert ranges[0][0] == 4, "the first column chunk starts right after the file's magic bytes"
    assert all(stop <= len(data) for _, stop in ranges)


def test_a_file_without_row_groups_has_no_ranges() -> None:
    schema = pa.schema([("n", pa.int64())])
    sink = io.BytesIO()
    pq.ParquetWriter(sink, schema).close()  # no batch written: no row group (pq.write_table writes an empty one)
    metadata = pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata
    assert metadata.num_row_groups == 0
    assert first_pages(metadata) == []
