"""File-level incremental on a partition-key cursor, through the planner with a fake partition lister that
answers as the real one does when S3 listed each partition's files."""

from __future__ import annotations

import logging

import pytest
from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.file_increments import WINDOW_VALUES
from source_skoot_athena.partitions import Partition, sort_key
from source_skoot_athena.slicing import SLICE_TARGET_BYTES
from source_skoot_athena.state import RecentFiles, StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import StreamPlan
from source_skoot_athena.types import ReadPath, parse_type

CONFIG = Config("Test", "ap-south-1", "AKIA", "secret", "primary", "AwsDataCatalog", 60000)
TABLE = TableInfo(
    "db",
    "events",
    (Column("id", parse_type("bigint")), Column("dt", parse_type("string"), is_partition_key=True)),
    location="s3://lake/events/",
)
DT = TABLE.partition_keys[0]


class Lake:
    """PartitionLister over an in-memory lake: {day: {file name: size}}, partitions listed with their files."""

    def __init__(self, days: dict[str, dict[str, int]]) -> None:
        self.days = days
        self.lowers: list[str | None] = []

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        self.lowers.append(lower)
        out = []
        for day, files in sorted(self.days.items()):
            if lower is not None and sort_key(DT, day) < sort_key(DT, lower):
                continue
            folder = f"s3://lake/events/dt={day}/"
            listed = tuple((folder + name, size) for name, size in sorted(files.items()))
            out.append(Partition((day,), None, sum(files.values()), folder, listed))
        return out


def configured() -> ConfiguredAirbyteStream:
    return ConfiguredAirbyteStream(
        stream=AirbyteStream(
            name="events",
            namespace="db",
            json_schema={"type": "object", "properties": {"id": {}, "dt": {}}},
            supported_sync_modes=[SyncMode.incremental],
        ),
        sync_mode=SyncMode.incremental,
        destination_sync_mode=DestinationSyncMode.append,
        cursor_field=["dt"],
    )


def plan(lake: Lake, state: StreamState | None = None) -> StreamPlan:
    planner = StreamPlanner(CONFIG, lake, NoBound(), logging.getLogger("test"))
    return planner.plan(configured(), TABLE, state or StreamState(cursor_field="dt", cursor_type="string"))


class NoBound:
    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        raise AssertionError("a partition-key cursor needs no max() query")


def read_files(p: StreamPlan) -> list[str]:
    return [
        uri.rsplit("/", 2)[-2] + "/" + uri.rsplit("/", 1)[-1]
        for s in p.slices
        for q in s.partitions or ()
        for uri, _ in q.files or ()
    ]


def day(n: int) -> str:
    return f"2024-01-{n:02d}"


def test_the_first_sync_reads_every_file_and_remembers_those_of_the_last_days() -> None:
    lake = Lake({day(n): {"a.parquet": 100} for n in range(1, 11)})
    first = plan(lake)
    assert len(read_files(first)) == 10 and lake.lowers == [None]
    assert first.final_state.cursor == day(10)
    remembered = first.final_state.recent_files or []
    assert [r.partition for r in remembered] == [(day(n),) for n in range(11 - WINDOW_VALUES, 11)]
    assert all(r.files == ("a.parquet",) for r in remembered)


def test_the_next_sync_reads_only_new_files_including_a_late_one_in_an_older_partition() -> None:
    lake = Lake({day(n): {"a.parquet": 100} for n in range(1, 11)})
    state = plan(lake).final_state
    lake.days[day(10)]["b.parquet"] = 50  # appended to the newest partition
    lake.days[day(5)]["late.parquet"] = 70  # late, within the window
    lake.days[day(11)] = {"a.parquet": 100}  # a new partition
    second = plan(lake, state)
    assert lake.lowers[-1] == day(11 - WINDOW_VALUES), "listed from the window's start"
    assert sorted(read_files(second)) == [
        "dt=2024-01-05/late.parquet",
        "dt=2024-01-10/b.parquet",
        "dt=2024-01-11/a.parquet",
    ]
    assert second.byte_estimate == 220
    sql = StreamPlanner(CONFIG, lake, NoBound(), logging.getLogger("t")).select_sql(
        second, second.slices[0], ReadPath.PARQUET
    )
    assert """"$path" IN ('s3://lake/events/dt=2024-01-05/late.parquet', """ in sql
    assert "dt=2024-01-10/a.parquet" not in sql and """"dt" IN ('2024-01-05', '2024-01-10', '2024-01-11')""" in sql
    assert second.final_state.cursor == day(11)
    # Nothing new: no slice at all, the state kept.
    third = plan(lake, second.final_state)
    assert third.slices == [] and third.final_state.recent_files == second.final_state.recent_files


def test_a_deleted_file_is_harmless_and_leaves_the_state() -> None:
    lake = Lake({day(1): {"a.parquet": 1, "b.parquet": 1}, day(2): {"a.parquet": 1}})
    state = plan(lake).final_state
    del lake.days[day(1)]["b.parquet"]
    after = plan(lake, state)
    assert after.slices == []
    assert after.final_state.recent_files == [
        RecentFiles((day(1),), ("a.parquet",)),
        RecentFiles((day(2),), ("a.parquet",)),
    ]


def test_the_state_stays_within_the_window_however_many_partitions() -> None:
    lake = Lake({f"2024-{m:02d}-{d:02d}": {f"f{i}.parquet": 1 for i in range(3)} for m in (1, 2) for d in range(1, 29)})
    state = plan(lake).final_state
    assert len(state.recent_files or []) == WINDOW_VALUES
    assert len(state.to_blob()["recent_files"]) == WINDOW_VALUES


def test_a_sync_killed_after_a_slice_resumes_with_exactly_the_unread_files() -> None:
    big = SLICE_TARGET_BYTES // 2
    lake = Lake({day(n): {"a.parquet": big, "b.parquet": big} for n in range(1, 5)})
    full = plan(lake)
    assert len(full.slices) == 4, "one slice per day of a whole slice's bytes"
    resumed = plan(lake, full.slices[1].state_after)
    assert sorted(read_files(resumed)) == [f"dt={day(n)}/{f}" for n in (3, 4) for f in ("a.parquet", "b.parquet")]
    assert resumed.final_state == full.final_state


def test_without_file_listings_partitions_at_or_past_the_cursor_are_read_whole() -> None:
    class NoFiles(Lake):
        """The lake when S3 could not be listed: no files, no S3 sizes."""

        def partitions(
            self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
        ) -> list[Partition]:
            listed = super().partitions(table, cursor_key=cursor_key, lower=lower)
            return [Partition(p.values, location=p.location) for p in listed]

    lake = NoFiles({day(n): {"a.parquet": 1} for n in range(1, 6)})
    state = StreamState(
        cursor_field="dt", cursor_type="string", cursor=day(4), recent_files=[RecentFiles((day(2),), ("a.parquet",))]
    )
    later = plan(lake, state)
    assert [p.values[0] for s in later.slices for p in s.partitions or ()] == [day(4), day(5)]
    assert later.final_state.recent_files is None and later.final_state.cursor == day(5)
    sql = StreamPlanner(CONFIG, lake, NoBound(), logging.getLogger("t")).select_sql(
        later, later.slices[0], ReadPath.PARQUET
    )
    assert "$path" not in sql


@pytest.mark.parametrize("bad", [[{"partition": "x", "files": []}], [{"partition": ["a"], "files": [1]}], {"a": 1}])
def test_malformed_recent_files_are_a_config_error(bad: object) -> None:
    from source_skoot_athena.errors import ConfigError

    with pytest.raises(ConfigError, match="recent_files"):
        StreamState.from_blob("events", {"cursor_field": "dt", "cursor": "x", "recent_files": bad})
    blob = {
        "cursor_field": "dt",
        "cursor_type": "string",
        "cursor": "x",
        "recent_files": [{"partition": ["x"], "files": ["a"]}],
    }
    assert StreamState.from_blob("events", blob).to_blob() == blob


def test_many_unread_files_of_one_partition_are_read_in_chunks_and_resume_after_a_chunk() -> None:
    half = SLICE_TARGET_BYTES // 2
    lake = Lake({day(1): {"a.parquet": 1}})
    state = plan(lake).final_state
    lake.days[day(1)].update({f"n{i}.parquet": half for i in range(4)})
    second = plan(lake, state)
    assert [len(read_files_of(s)) for s in second.slices] == [2, 2]
    resumed = plan(lake, second.slices[0].state_after)
    assert [f for s in resumed.slices for f in read_files_of(s)] == read_files_of(second.slices[1])
    assert resumed.final_state == second.final_state


def read_files_of(slice_: object) -> list[str]:
    partitions = getattr(slice_, "partitions", None) or ()
    return [uri for p in partitions for uri, _ in p.files or ()]
