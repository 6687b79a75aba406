"""The planner on projected tables: slices of projected partitions, their checkpoints and resume, a projected-key
cursor bounded by max(cursor) when the partitions' files are unknown, and the one-query fallback.

The planner gets the real projected lister (projection_slices.py, without an S3 client: no file is known) through
a small source that, like partitions.GluePartitions, also answers for Glue (which must not be asked here), and a
fixed cursor bound as in test_stream.py.
"""

from __future__ import annotations

import logging

from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.partitions import Partition
from source_skoot_athena.projection_slices import ProjectedPartitions, projected_lister
from source_skoot_athena.slicing import UNKNOWN_COST_PARTITIONS
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import FULL_REFRESH_COMPLETE, StreamPlan
from source_skoot_athena.types import ReadPath, parse_type

LOGGER = logging.getLogger("test_projection_planning")
CONFIG = Config("Test", "ap-south-1", "AKIA", "secret", "primary", "AwsDataCatalog", 60000)
# 45 projected days, no file known: groups of UNKNOWN_COST_PARTITIONS (20, 20, 5).
DAILY = {
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.range": "2024-01-01,2024-02-14",
    "projection.dt.format": "yyyy-MM-dd",
}
COLUMNS = (Column("id", parse_type("bigint")), Column("dt", parse_type("string"), is_partition_key=True))


def _table(parameters: dict[str, str]) -> TableInfo:
    return TableInfo("db", "daily", COLUMNS, parameters=parameters, location="s3://b/daily/")


class ProjectionOnly:
    """PartitionLister and ProjectionSource: the real projected lister; Glue is never asked for a projected table."""

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        raise AssertionError("a projected table's Glue partitions are not Athena's")

    def projected(self, table: TableInfo) -> ProjectedPartitions | None:
        return projected_lister(table, None, LOGGER)


class FixedBound:
    """CursorBound: a fixed max(cursor), and the lower bound of each time it was asked."""

    def __init__(self, upper: str | None) -> None:
        self.upper = upper
        self.lowers: list[str | None] = []

    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        self.lowers.append(lower)
        return self.upper


def _configured(table: TableInfo, cursor: str | None) -> ConfiguredAirbyteStream:
    return ConfiguredAirbyteStream(
        stream=AirbyteStream(
            name=table.name,
            namespace=table.database,
            json_schema={"type": "object", "properties": {c.name: {} for c in table.columns}},
            supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
        ),
        sync_mode=SyncMode.incremental if cursor else SyncMode.full_refresh,
        destination_sync_mode=DestinationSyncMode.append,
        cursor_field=[cursor] if cursor else None,
    )


def _plan(table: TableInfo, saved: StreamState, *, cursor: str | None = None, upper: str | None = None) -> StreamPlan:
    return StreamPlanner(CONFIG, ProjectionOnly(), FixedBound(upper), LOGGER).plan(
        _configured(table, cursor), table, saved
    )


def _days(plan: StreamPlan) -> list[list[str | None]]:
    return [[p.values[0] for p in s.partitions or ()] for s in plan.slices]


def test_a_full_refresh_is_planned_in_groups_of_projected_days_resumable_after_each() -> None:
    plan = _plan(_table(DAILY), StreamState())
    days = _days(plan)
    assert [len(d) for d in days] == [UNKNOWN_COST_PARTITIONS, UNKNOWN_COST_PARTITIONS, 5]
    assert days[0][0] == "2024-01-01" and days[-1][-1] == "2024-02-14"
    assert [s.state_after.resume_after for s in plan.slices[:-1]] == [["2024-01-20"], ["2024-02-09"]]
    assert plan.slices[-1].state_after == FULL_REFRESH_COMPLETE
    resumed = _plan(_table(DAILY), StreamState(resume_after=["2024-01-20"]))
    assert _days(resumed) == days[1:]


def test_a_projected_key_cursor_without_known_files_reads_up_to_max_and_keeps_that_bound() -> None:
    plan = _plan(_table(DAILY), StreamState(), cursor="dt", upper="2024-01-25")
    assert [d for group in _days(plan) for d in group] == [f"2024-01-{n:02d}" for n in range(1, 26)]
    assert all(s.cursor_range == (None, "2024-01-25") for s in plan.slices)
    assert plan.slices[0].state_after.pending_cursor == "2024-01-25"
    assert plan.final_state.cursor == "2024-01-25" and plan.final_state.pending_cursor is None

    # A stop after the first group: the resumed sync keeps the bound (no new max) and reads the rest.
    checkpoint = plan.slices[0].state_after
    bound = FixedBound("2024-02-14")
    resumed = StreamPlanner(CONFIG, ProjectionOnly(), bound, LOGGER).plan(
        _configured(_table(DAILY), "dt"), _table(DAILY), checkpoint
    )
    assert bound.lowers == [] and _days(resumed) == [[f"2024-01-{n}" for n in range(21, 26)]]
    assert resumed.final_state.cursor == "2024-01-25"


def test_the_next_sync_of_a_projected_key_cursor_starts_at_the_saved_value() -> None:
    saved = StreamState(cursor_field="dt", cursor_type="string", cursor="2024-02-10")
    plan = _plan(_table(DAILY), saved, cursor="dt", upper="2024-02-12")
    assert _days(plan) == [["2024-02-10", "2024-02-11", "2024-02-12"]]
    sql = StreamPlanner(CONFIG, ProjectionOnly(), FixedBound(None), LOGGER).select_sql(
        plan, plan.slices[0], ReadPath.PARQUET
    )
    assert """("dt" IN ('2024-02-10', '2024-02-11', '2024-02-12'))""" in sql
    assert """("dt" >= '2024-02-10')""" in sql and """("dt" <= '2024-02-12')""" in sql


def test_a_projection_that_cannot_be_enumerated_is_one_query_on_the_whole_table() -> None:
    hourly_without_unit = {**DAILY, "projection.dt.format": "yyyy-MM-dd-HH", "projection.dt.range": "NOW-1DAYS,NOW"}
    plan = _plan(_table(hourly_without_unit), StreamState())
    assert len(plan.slices) == 1 and plan.slices[0].partitions is None
    sql = StreamPlanner(CONFIG, ProjectionOnly(), FixedBound(None), LOGGER).select_sql(
        plan, plan.slices[0], ReadPath.PARQUET
    )
    assert "WHERE" not in sql


def test_a_cursor_on_the_second_projected_key_resumes_without_losing_a_partition() -> None:
    # region x day: a stop between groups must resume at the next partition in the order the groups were made.
    columns = (*COLUMNS, Column("region", parse_type("string"), is_partition_key=True))
    columns = (columns[0], columns[2], columns[1])  # keys: region, dt
    parameters = {**DAILY, "projection.region.type": "enum", "projection.region.values": "us,ap,eu"}
    table = TableInfo("db", "daily", columns, parameters=parameters, location="s3://b/daily/")
    plan = _plan(table, StreamState(), cursor="dt", upper="2024-01-10")
    planned = [p.values for s in plan.slices for p in s.partitions or ()]
    assert len(planned) == 30 and len(plan.slices) == 2
    resumed = _plan(table, plan.slices[0].state_after, cursor="dt", upper="2024-12-31")
    rest = [p.values for s in resumed.slices for p in s.partitions or ()]
    assert rest == planned[UNKNOWN_COST_PARTITIONS:], "exactly the partitions of the groups not yet read"
