"""Reading an UNLOAD Parquet file: exact values, and reads of at most READ_BUFFER_BYTES whatever the row group size.

Athena may write a 100 MB+ file as one row group; reading whole column chunks (or pre-buffering a row group)
would make memory grow with it. The file here is wrapped to record every read pyarrow makes through the
shipped reader. A page larger than the buffer is read whole (pyarrow's buffered stream reads it directly), so
the bound is max(buffer, largest page): writers cap pages (parquet-mr and pyarrow at 1 MB by default), and the
file here is written with pages smaller than the buffer."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from source_skoot_athena.results import unload

ROWS = 300_000
BUFFER = 64 * 1024


class RecordingFile(io.RawIOBase):
    """A local file that records the size of every read."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self.reads: list[int] = []

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._file.readinto(buffer)
        self.reads.append(count)
        return count

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.reads.append(len(data))
        return data

    def close(self) -> None:
        self._file.close()
        super().close()


def test_one_big_row_group_is_read_in_buffer_sized_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unload, "READ_BUFFER_BYTES", BUFFER)
    table = pa.table(
        {
            "n": pa.array(range(ROWS), pa.int64()),
            "s": pa.array([f"text of row {i}" for i in range(ROWS)], pa.string()),
        }
    )
    path = tmp_path / "one-row-group.parquet"
    pq.write_table(
        table,
        path,
        row_group_size=ROWS,
        compression="snappy",
        data_page_size=BUFFER // 4,
        dictionary_pagesize_limit=BUFFER // 4,
    )
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups == 1
    largest_chunk = max(metadata.row_group(0).column(i).total_compressed_size for i in range(2))
    assert largest_chunk > 10 * BUFFER

    recording = RecordingFile(path)
    batches = list(unload.file_batches(recording))  # type: ignore[arg-type]  # a RawIOBase, as pyarrow takes

    assert pa.Table.from_batches(batches).equals(table)
    assert len(batches) > 1
    assert max(recording.reads) <= BUFFER, "no column chunk (or row group) is read whole"
