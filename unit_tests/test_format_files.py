"""Iceberg and Delta tables read by ranges of their files' paths: the chunks, the SQL and the state they leave.

Pure parts only; the S3 reads, the `$files` query and whole syncs run against the stand-in
(integration_tests/test_format_slices.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.delta_log import DeltaLog
from source_skoot_athena.file_slices import FileChunk
from source_skoot_athena.format_files import range_chunks
from source_skoot_athena.iceberg_files import current_snapshot, data_files, files_sql, has_snapshot, snapshot_bytes
from source_skoot_athena.partitions import Partition
from source_skoot_athena.slicing import SLICE_TARGET_BYTES
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.types import ReadPath
from unit_tests.test_stream import CONFIG, PLAIN, FixedBound, configured

QUARTER = SLICE_TARGET_BYTES // 4
ROOT = "s3://lake/db/t/"
ICEBERG = TableInfo("db", "t", PLAIN.columns, parameters={"table_type": "ICEBERG"}, location=ROOT)


def files(count: int) -> list[tuple[str, int]]:
    return [(f"{ROOT}data/{n:04d}.parquet", QUARTER) for n in range(count)]


def test_ranges_cover_every_path_and_close_on_each_chunks_last_file() -> None:
    listed = files(10)
    chunks = range_chunks(list(reversed(listed)), None, "42", pinned=True)
    names = [uri for uri, _ in listed]
    assert [(c.after, c.through, c.last_file) for c in chunks] == [
        (None, names[3], names[3]),
        (names[3], names[7], names[7]),
        (names[7], None, None),  # open: a file the listing did not show is still read
    ]
    assert {(c.table_version, c.pinned) for c in chunks} == {("42", True)}


def test_resumed_ranges_start_after_the_saved_path() -> None:
    names = [uri for uri, _ in files(10)]
    chunks = range_chunks(files(10), names[3], "7", pinned=False)
    assert [(c.after, c.through) for c in chunks] == [(names[3], names[7]), (names[7], None)]


def test_a_chunk_reads_its_range_at_its_pinned_snapshot() -> None:
    chunk = FileChunk(None, f"{ROOT}a.parquet", f"{ROOT}b.parquet", through=f"{ROOT}b.parquet", table_version="42")
    planner = StreamPlanner(CONFIG, _NoPartitions(), FixedBound(None), logging.getLogger("t"), _Chunks([chunk]))
    plan = planner.plan(configured(ICEBERG, None), ICEBERG, StreamState())
    sql = planner.select_sql(plan, plan.slices[0], ReadPath.PARQUET)
    assert f'FROM "AwsDataCatalog"."db"."t" WHERE ("$path" > \'{ROOT}a.parquet\')' in sql
    assert f"(\"$path\" <= '{ROOT}b.parquet')" in sql and "FOR VERSION" not in sql
    pinned = planner.plan(configured(ICEBERG, None), ICEBERG, StreamState())
    pinned.slices[0] = replace(pinned.slices[0], version_as_of="42")
    assert '"t" FOR VERSION AS OF 42 WHERE' in planner.select_sql(pinned, pinned.slices[0], ReadPath.PARQUET)
    assert plan.slices[0].state_after.to_blob() == {"resume_after_file": f"{ROOT}b.parquet", "table_version": "42"}


def test_table_version_round_trips_through_the_state_blob_and_ends_with_the_sync() -> None:
    state = StreamState(resume_after_file=f"{ROOT}b.parquet", table_version="42")
    assert StreamState.from_blob("t", state.to_blob()) == state
    planner = StreamPlanner(CONFIG, _NoPartitions(), FixedBound("9"), logging.getLogger("t"), _Chunks([]))
    cursor_plan = planner.plan(configured(ICEBERG, "id"), ICEBERG, replace(state, cursor_field="id"))
    assert "table_version" not in cursor_plan.final_state.to_blob()


def test_the_delta_log_replays_adds_and_removes_with_their_versions() -> None:
    log = DeltaLog()
    log.apply(0, {"add": {"path": "k=a%20b/p0.parquet", "size": 10}}, ROOT)
    log.apply(1, {"add": {"path": "s3://other/abs.parquet", "size": 5}}, ROOT)
    log.apply(2, {"add": {"path": "p2.parquet", "size": 7}}, ROOT)
    assert log.files() == [(f"{ROOT}k=a b/p0.parquet", 10), (f"{ROOT}p2.parquet", 7), ("s3://other/abs.parquet", 5)]
    assert log.added_since(1) == [(f"{ROOT}p2.parquet", 7)] and not log.removed_since(0)
    log.apply(3, {"remove": {"path": "p2.parquet"}}, ROOT)
    assert log.version == 3 and log.removed_since(2) and not log.removed_since(3)
    assert f"{ROOT}p2.parquet" not in dict(log.files())


def test_commits_a_checkpoint_holds_only_note_when_files_were_added_or_removed() -> None:
    log = DeltaLog(version=5, live={f"{ROOT}old.parquet": (10, 2), f"{ROOT}new.parquet": (20, 2)}, history_from=3)
    log.apply(4, {"add": {"path": "new.parquet", "size": 99}}, ROOT, replay=False)
    log.apply(4, {"add": {"path": "gone.parquet", "size": 1}}, ROOT, replay=False)
    assert log.files() == [(f"{ROOT}new.parquet", 20), (f"{ROOT}old.parquet", 10)]
    assert log.added_since(3) == [(f"{ROOT}new.parquet", 20)] and not log.removed_since(2)
    assert log.removed_since(1)  # commit 2 was not read: what it did is unknown
    log.apply(5, {"remove": {"path": "gone.parquet"}}, ROOT, replay=False)
    assert log.removed_since(4) and len(log.files()) == 2


def test_iceberg_metadata_tells_the_snapshot_and_its_size() -> None:
    metadata = {
        "current-snapshot-id": 7,
        "snapshots": [{"snapshot-id": 7, "summary": {"total-files-size": "1234"}}, {"snapshot-id": 3}],
    }
    assert current_snapshot(metadata) == "7" and current_snapshot({"current-snapshot-id": -1}) is None
    assert has_snapshot(metadata, "3") and not has_snapshot(metadata, "4")
    assert snapshot_bytes(metadata, "7") == 1234 and snapshot_bytes(metadata, "3") is None


def test_files_sql_lists_data_files_only_after_the_resume_point() -> None:
    sql = files_sql(CONFIG, ICEBERG, f"{ROOT}b.parquet")
    assert 'FROM "AwsDataCatalog"."db"."t$files" WHERE (content = 0)' in sql
    assert f"(file_path > '{ROOT}b.parquet')" in sql
    assert data_files([["s3://b/2", "20"], ["s3://b/1", "10"], [None, None]]) == [("s3://b/1", 10), ("s3://b/2", 20)]


class _NoPartitions:
    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        return []


class _Chunks:
    def __init__(self, chunks: list[FileChunk]) -> None:
        self._chunks = chunks

    def chunks(self, table: TableInfo, after: str | None, version: str | None) -> list[FileChunk] | None:
        return self._chunks or None
