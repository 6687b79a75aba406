"""An unpartitioned table read in chunks of its files: the planner's slices, their SQL and resume points.

The planner gets a fake of its file lister (and of its cursor bound); the S3 listing itself is tested against the
stand-in (integration_tests/test_file_slices.py).
"""

from __future__ import annotations

import logging

import pytest

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.file_slices import Files
from source_skoot_athena.partitions import Partition
from source_skoot_athena.slicing import MAX_CONDITION_CHARS, SLICE_TARGET_BYTES
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import FULL_REFRESH_COMPLETE
from source_skoot_athena.types import ReadPath
from unit_tests.test_stream import CONFIG, PLAIN, FixedBound, configured

LOGGER = logging.getLogger("test_file_slices")
LOCATION = "s3://lake/db/big/"
BIG = TableInfo("db", "big", PLAIN.columns, location=LOCATION)
QUARTER = SLICE_TARGET_BYTES // 4  # four files fill a slice


def uris(count: int, prefix: str = "part") -> list[str]:
    return [f"{LOCATION}{prefix}-{n:04d}.parquet" for n in range(count)]


class ListedFiles:
    """PartitionLister and TableFileLister: no partitions; the given files (listed to the end unless told)."""

    def __init__(self, files: Files, complete: bool = True) -> None:
        self.files = list(files)
        self.complete = complete
        self.asked: list[str] = []

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        return []

    def table_files(self, table: TableInfo) -> tuple[Files, bool] | None:
        self.asked.append(table.name)
        return list(reversed(self.files)), self.complete  # the planner puts them in path order itself


def planner(files: ListedFiles, bound: FixedBound | None = None) -> StreamPlanner:
    return StreamPlanner(CONFIG, files, bound or FixedBound(None), LOGGER)


def test_a_table_bigger_than_a_slice_is_read_by_file_chunks_with_a_state_after_each() -> None:
    names = uris(10)
    plan = planner(ListedFiles([(u, QUARTER) for u in names])).plan(configured(BIG, None), BIG, StreamState())
    assert [s.files for s in plan.slices] == [tuple(names[0:4]), tuple(names[4:8]), None]
    assert [s.files_after for s in plan.slices] == [None, None, names[7]]
    assert [s.state_after.to_blob() for s in plan.slices] == [
        {"resume_after_file": names[3]},
        {"resume_after_file": names[7]},
        {"__ab_full_refresh_sync_complete": True},
    ]
    first, _, last = (planner(ListedFiles([])).select_sql(plan, s, ReadPath.PARQUET) for s in plan.slices)
    assert f"\"$path\" IN ('{names[0]}', '{names[1]}', '{names[2]}', '{names[3]}')" in first
    assert f"\"$path\" > '{names[7]}'" in last and " IN (" not in last  # files past the listing are read too


def test_a_resumed_full_refresh_reads_only_the_files_after_the_last_chunk_read() -> None:
    names = uris(10)
    saved = StreamState.from_blob("big", {"resume_after_file": names[3]})
    plan = planner(ListedFiles([(u, QUARTER) for u in names])).plan(configured(BIG, None), BIG, saved)
    assert [s.files for s in plan.slices] == [tuple(names[4:8]), None]
    assert plan.slices[-1].files_after == names[7] and plan.final_state == FULL_REFRESH_COMPLETE
    # What is left fits one query: that query still starts after the resume point.
    tail = planner(ListedFiles([(u, QUARTER) for u in names])).plan(
        configured(BIG, None), BIG, StreamState(resume_after_file=names[7])
    )
    assert [(s.files, s.files_after) for s in tail.slices] == [(None, names[7])]


def test_a_table_within_one_slice_is_one_query_without_a_path_filter() -> None:
    files = ListedFiles([(u, QUARTER // 4) for u in uris(10)])
    plan = planner(files).plan(configured(BIG, None), BIG, StreamState())
    (only,) = plan.slices
    assert (only.files, only.files_after, only.state_after) == (None, None, FULL_REFRESH_COMPLETE)
    assert '"$path"' not in planner(files).select_sql(plan, only, ReadPath.PARQUET) and files.asked == ["big"]


def test_glue_total_size_larger_than_the_listing_sizes_the_chunks() -> None:
    stated = TableInfo(
        "db", "big", PLAIN.columns, location=LOCATION, parameters={"totalSize": str(SLICE_TARGET_BYTES * 3)}
    )
    plan = planner(ListedFiles([(u, 100) for u in uris(12)])).plan(configured(stated, None), stated, StreamState())
    assert [len(s.files or ()) for s in plan.slices] == [4, 4, 0] and plan.slices[-1].files_after is not None


def test_each_chunk_stays_within_the_query_text_budget() -> None:
    long_names = uris(3000, prefix="x" * 200)
    plan = planner(ListedFiles([(u, 1) for u in long_names])).plan(configured(BIG, None), BIG, StreamState())
    assert len(plan.slices) > 2
    for slice_ in plan.slices:
        assert len(", ".join(f"'{u}'" for u in slice_.files or ())) < MAX_CONDITION_CHARS
    named = [u for s in plan.slices for u in s.files or ()]
    assert named == long_names[: len(named)] and plan.slices[-1].files_after == named[-1]


def test_an_incremental_stream_applies_its_cursor_bounds_in_every_chunk_and_keeps_them_across_a_resume() -> None:
    names = uris(8)
    bound = FixedBound("90")
    saved = StreamState(cursor_field="id", cursor_type="bigint", cursor="40")
    plan = planner(ListedFiles([(u, QUARTER) for u in names]), bound).plan(configured(BIG, "id"), BIG, saved)
    assert [s.cursor_range for s in plan.slices] == [("40", "90"), ("40", "90")]
    assert plan.slices[0].state_after.to_blob() == {
        "cursor_field": "id",
        "cursor_type": "bigint",
        "cursor": "40",
        "resume_after_file": names[3],
        "pending_cursor": "90",
    }
    assert plan.final_state.to_blob() == {"cursor_field": "id", "cursor_type": "bigint", "cursor": "90"}
    for slice_ in plan.slices:
        sql = planner(ListedFiles([])).select_sql(plan, slice_, ReadPath.PARQUET)
        assert sql.endswith('AND ("id" >= 40) AND ("id" <= 90)'), sql
    # Resumed: the bound saved as pending is kept (not asked again), only the files after the checkpoint.
    again = FixedBound("999")
    resumed = planner(ListedFiles([(u, QUARTER) for u in names]), again).plan(
        configured(BIG, "id"), BIG, plan.slices[0].state_after
    )
    assert again.calls == [] and [(s.cursor_range, s.files_after) for s in resumed.slices] == [(("40", "90"), names[3])]
    assert resumed.final_state.cursor == "90" and resumed.final_state.resume_after_file is None


@pytest.mark.parametrize(
    "table",
    [
        TableInfo("db", "ice", PLAIN.columns, location=LOCATION, parameters={"table_type": "ICEBERG"}),
        TableInfo("db", "delta", PLAIN.columns, location=LOCATION, parameters={"table_type": "DELTA"}),
        TableInfo("db", "nowhere", PLAIN.columns, location="hdfs://x/y/"),
        TableInfo("db", "noloc", PLAIN.columns),
    ],
    ids=["iceberg", "delta", "not-s3", "no-location"],
)
def test_tables_whose_files_are_not_all_read_or_not_in_s3_stay_one_query(table: TableInfo) -> None:
    files = ListedFiles([(u, QUARTER) for u in uris(10)])
    plan = planner(files).plan(configured(table, None), table, StreamState())
    assert [(s.files, s.files_after) for s in plan.slices] == [(None, None)] and files.asked == []


def test_a_listing_cut_short_says_so_and_the_last_slice_reads_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    names = uris(8)
    with caplog.at_level(logging.WARNING):
        plan = planner(ListedFiles([(u, QUARTER) for u in names], complete=False)).plan(
            configured(BIG, None), BIG, StreamState()
        )
    assert [s.files_after for s in plan.slices] == [None, names[3]]
    assert "listing stopped at 8 files" in caplog.text and "read by the last slice" in caplog.text
