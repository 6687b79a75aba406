"""UNLOAD files read through ranged parts fetched on demand (results/ranged_copy.py), against the stand-in over HTTP.

Exact values through many tiny parts, the first batch before the rest of the object is served, footers larger
and objects smaller than the first suffix GET, an empty object, a failing part, and an early close: each leaves
no temp file and no worker thread behind.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from local_athena import LocalAthena
from source_skoot_athena.errors import AwsCallError
from source_skoot_athena.results import ranged_copy, ranged_get, unload
from source_skoot_athena.results.unload import UnloadResult

BUCKET = "skoot-athena-results"
PART = 64 * 1024


def table_of(rows: int) -> pa.Table:
    return pa.table(
        {
            "n": pa.array(range(rows), pa.int64()),
            "s": pa.array([f"row {i} " + "abcdefghij"[i % 10] * (i % 37) for i in range(rows)], pa.string()),
            "x": pa.array([i * 0.5 if i % 7 else None for i in range(rows)], pa.float64()),
        }
    )


def parquet_bytes(table: pa.Table, row_group_rows: int) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy", row_group_size=row_group_rows)
    return sink.getvalue()


def put_unload(athena: LocalAthena, prefix: str, data: bytes) -> UnloadResult:
    """One data file and its manifest, as an UNLOAD leaves them; the reader with its file list already fetched."""
    s3 = athena.client("s3")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}data-00000", Body=data)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}manifest.csv", Body=f"s3://{BUCKET}/{prefix}data-00000\n".encode())
    reader = UnloadResult(s3, f"s3://{BUCKET}/{prefix}manifest.csv", f"s3://{BUCKET}/{prefix}")
    assert len(reader.files()) == 1
    return reader


def read_all(batches: Iterator[pa.RecordBatch]) -> pa.Table:
    return pa.Table.from_batches(list(batches))


def part_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("s3-part-")]


@pytest.fixture
def tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temp files go here, so a test can see that none is left."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    return tmp_path


@pytest.mark.parametrize("row_group_rows", [120_000, 10_000], ids=["one-row-group", "many-row-groups"])
@pytest.mark.parametrize(("piece", "part"), [(PART, PART), (PART // 4, PART)], ids=["part=block", "part=4-blocks"])
def test_values_through_many_tiny_parts(
    athena: LocalAthena, tmp_dir: Path, monkeypatch: pytest.MonkeyPatch, row_group_rows: int, piece: int, part: int
) -> None:
    monkeypatch.setattr(ranged_copy, "PART_BYTES", part)
    monkeypatch.setattr(ranged_get, "PIECE_BYTES", piece)
    data = parquet_bytes(table_of(120_000), row_group_rows)
    assert len(data) > 20 * part
    reader = put_unload(athena, f"ranged/values-{row_group_rows}/", data)
    athena.reset_observations()

    got = read_all(reader.batches())

    assert got.equals(pq.read_table(io.BytesIO(data)))
    assert athena.calls["s3:GetObject"] > 20, "read as many ranged parts"
    assert list(tmp_dir.iterdir()) == []
    assert part_threads() == []


def test_first_batch_comes_before_the_rest_of_the_object(athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranged_copy, "PART_BYTES", PART)
    # No read-ahead past the first row group: a worker waiting on a held GET cannot fetch what the batch needs.
    monkeypatch.setattr(ranged_copy, "READ_AHEAD_BYTES", 0)
    data = parquet_bytes(table_of(400_000), 100_000)
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    first_group_end = max(
        metadata.row_group(0).column(i).data_page_offset + metadata.row_group(0).column(i).total_compressed_size
        for i in range(metadata.num_columns)
    )
    held_from = (first_group_end // PART + 1) * PART  # every part after the first row group's is held
    assert held_from < len(data) - 4 * PART
    reader = put_unload(athena, "ranged/first-batch/", data)
    hold = athena.faults.hold_ranges("s3:GetObject", from_byte=held_from)
    athena.reset_observations()
    batches = reader.batches()
    try:
        first = next(batches)
        served = athena.calls["s3:GetObject"] - hold.held
        assert first.num_rows > 0
        assert served < -(-len(data) // PART), "the first batch came before every part was served"
    finally:
        hold.release.set()
    rest = read_all(batches)
    assert pa.concat_tables([pa.Table.from_batches([first]), rest]).equals(pq.read_table(io.BytesIO(data)))


def test_first_pages_of_every_column_chunk_are_fetched_before_the_file_in_order(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-row-group file, as Athena writes them: its column chunks' first pages lie all over the file. Fetched
    in file order first, they would wait behind every worker's in-order part (0.24 s to the first batch of a
    100 MB file at S3's rate against 0.17 s, bench/first_file.py)."""
    block = PART // 4
    monkeypatch.setattr(ranged_copy, "PART_BYTES", PART)
    monkeypatch.setattr(ranged_copy, "URGENT_BYTES", block)
    monkeypatch.setattr(ranged_copy, "WORKERS", 1)  # requests arrive in the order they are claimed
    monkeypatch.setattr(ranged_copy, "PIECE_BYTES", block)  # the block size of the copy's plan
    monkeypatch.setattr(unload, "FIRST_PAGES_BYTES", block)
    data = parquet_bytes(table_of(120_000), 120_000)
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    first_pages = {
        b for start, stop in unload.first_pages(metadata) for b in range(start // block, (stop - 1) // block + 1)
    }
    assert metadata.num_row_groups == 1 and max(first_pages) * block > 2 * PART, "chunks spread over many parts"
    reader = put_unload(athena, "ranged/first-pages/", data)
    athena.reset_observations()

    assert read_all(reader.batches()).equals(pq.read_table(io.BytesIO(data)))

    ranges = [spec for path, spec in athena.ranges_read() if path.endswith("/data-00000")]
    assert ranges[0].startswith("bytes=-"), "the footer first"
    following = ranges[1 : 1 + len(first_pages)]
    blocks = {int(spec.removeprefix("bytes=").split("-")[0]) // block for spec in following}
    assert blocks == first_pages, f"the first pages of the three column chunks next, got {following}"


def test_no_in_order_part_starts_before_the_first_pages_are_written(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the last chunk's first pages held by S3, the idle worker waits: fetched beside them, in-order parts would
    share the bandwidth the first batch waits for. Every multi-block GET (an in-order part: urgent runs are one block
    here, read-ahead is off) arrives after the test's marker GET, sent just before the held pages are released."""
    block = PART // 4
    monkeypatch.setattr(ranged_copy, "PART_BYTES", PART)
    monkeypatch.setattr(ranged_copy, "URGENT_BYTES", block)
    monkeypatch.setattr(ranged_copy, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr(ranged_copy, "WORKERS", 3)
    monkeypatch.setattr(ranged_copy, "PIECE_BYTES", block)
    monkeypatch.setattr(unload, "FIRST_PAGES_BYTES", block)
    data = parquet_bytes(table_of(120_000), 120_000)
    last_pages_start = max(start for start, _ in unload.first_pages(pq.ParquetFile(io.BytesIO(data)).metadata))
    held_from = last_pages_start // block * block
    reader = put_unload(athena, "ranged/first-pages-written/", data)
    s3 = athena.client("s3")
    s3.put_object(Bucket=BUCKET, Key="ranged/marker", Body=b"m")
    athena.reset_observations()
    hold = athena.faults.hold_ranges("s3:GetObject", from_byte=held_from)
    got: list[pa.Table] = []
    consumer = threading.Thread(target=lambda: got.append(read_all(reader.batches())))
    consumer.start()
    try:
        deadline = time.monotonic() + 5
        while hold.held < 2 and time.monotonic() < deadline:  # the last chunk's two first-page blocks
            time.sleep(0.01)
        assert hold.held == 2
        settle = time.monotonic() + 0.5  # time for an idle worker to start an in-order part, if it would
        while time.monotonic() < settle and not any(multi_block(spec, block) for _, spec in athena.ranges_read()):
            time.sleep(0.01)
        s3.get_object(Bucket=BUCKET, Key="ranged/marker")
    finally:
        hold.release.set()
    consumer.join(timeout=60)

    assert got and got[0].equals(pq.read_table(io.BytesIO(data)))
    log = [spec for _, spec in athena.ranges_read()]
    before_release = log[: log.index("")]  # the marker is the only whole-object GET
    assert before_release and not any(multi_block(spec, block) for spec in before_release), before_release
    assert any(multi_block(spec, block) for spec in log), "in-order parts after the first pages"


def multi_block(spec: str, block: int) -> bool:
    """Whether a `bytes=a-b` range spans more than one block (a suffix range never does here)."""
    first, _, last = spec.removeprefix("bytes=").partition("-")
    return bool(first) and bool(last) and int(last) - int(first) + 1 > block


def test_footer_larger_than_the_first_suffix_get(athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> None:
    table = table_of(5_000).replace_schema_metadata({"padding": "p" * (3 * ranged_get.FOOTER_GUESS_BYTES)})
    data = parquet_bytes(table, 1_000)
    footer = int.from_bytes(data[-8:-4], "little")
    assert footer > 2 * ranged_get.FOOTER_GUESS_BYTES
    reader = put_unload(athena, "ranged/big-footer/", data)
    athena.reset_observations()

    assert read_all(reader.batches()).equals(pq.read_table(io.BytesIO(data)))
    key = f"{BUCKET}/ranged/big-footer/data-00000"
    assert athena.objects_read[key] >= 2, "the suffix GET, then the rest of the footer"


def test_object_smaller_than_the_first_suffix_get(athena: LocalAthena) -> None:
    data = parquet_bytes(table_of(50), 50)
    assert len(data) < ranged_get.FOOTER_GUESS_BYTES
    reader = put_unload(athena, "ranged/small/", data)
    athena.reset_observations()

    assert read_all(reader.batches()).equals(pq.read_table(io.BytesIO(data)))
    assert athena.objects_read[f"{BUCKET}/ranged/small/data-00000"] == 1, "one suffix GET holds the whole object"


@pytest.mark.parametrize("refused", [False, True], ids=["s3-200-empty", "rfc-416"])
def test_empty_object_fails_as_an_empty_parquet_file(athena: LocalAthena, tmp_dir: Path, refused: bool) -> None:
    """S3 answers a suffix range of an empty object with an empty 200; an RFC 9110 store (a proxy, another
    S3-compatible service) with 416 InvalidRange: the same error either way."""
    reader = put_unload(athena, "ranged/empty/", b"")
    message = "The requested range is not satisfiable"
    rule = athena.faults.error("s3:GetObject", "InvalidRange", status=416, message=message) if refused else None
    with pytest.raises(pa.ArrowInvalid) as caught:
        read_all(reader.batches())
    with pytest.raises(pa.ArrowInvalid) as expected:
        pq.ParquetFile(io.BytesIO(b""))
    assert str(caught.value) == str(expected.value)
    assert list(tmp_dir.iterdir()) == []
    assert rule is None or rule.fired == 1, "the 416 was the answer"


def test_a_failing_part_is_a_clear_error_and_leaves_nothing(
    athena: LocalAthena, tmp_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranged_copy, "PART_BYTES", PART)
    data = parquet_bytes(table_of(120_000), 120_000)
    reader = put_unload(athena, "ranged/failing/", data)
    rule = athena.faults.error("s3:GetObject", "AccessDenied", status=403, count=1, after=1)  # after the footer

    with pytest.raises(AwsCallError) as caught:
        read_all(reader.batches())

    assert rule.fired == 1
    message = str(caught.value)
    assert "s3:GetObject" in message and "AccessDenied" in message
    assert f"s3://{BUCKET}/ranged/failing/data-00000" in message
    assert list(tmp_dir.iterdir()) == []
    assert part_threads() == []


def test_early_close_stops_the_workers_and_deletes_the_copy(
    athena: LocalAthena, tmp_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranged_copy, "PART_BYTES", PART)
    data = parquet_bytes(table_of(400_000), 100_000)
    reader = put_unload(athena, "ranged/early-close/", data)
    hold = athena.faults.hold_ranges("s3:GetObject", from_byte=len(data) // 2)
    batches = reader.batches()
    try:
        assert next(batches).num_rows > 0
        assert list(tmp_dir.iterdir()), "the file is read from a local copy"
        assert part_threads(), "parts are still being fetched"
    finally:
        hold.release.set()
    batches.close()  # type: ignore[attr-defined]
    assert list(tmp_dir.iterdir()) == []
    assert part_threads() == []
