"""The stream planner's slices, cursor ranges and checkpoints, and the Glue partition lister it is given.

The planner is built from small fakes of the two protocols it takes (a partition lister, a cursor bound); the
real partition lister is tested over a fake Glue client that pages like GetPartitions.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode
from airbyte_cdk.sources.streams.checkpoint.checkpoint_reader import FULL_REFRESH_COMPLETE_STATE

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.cursor_bounds import cursor_bound_sql
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.partitions import GluePartitions, Partition, glue_expression, sort_key
from source_skoot_athena.slicing import SLICE_TARGET_BYTES
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import FULL_REFRESH_COMPLETE
from source_skoot_athena.types import ReadPath, parse_type

LOGGER = logging.getLogger("test_stream")
CONFIG = Config("Test", "ap-south-1", "AKIA", "secret", "primary", "AwsDataCatalog", 60000)
PER_SLICE = 20
TWENTIETH = SLICE_TARGET_BYTES // PER_SLICE  # a partition of this size: 20 fill one slice


def column(name: str, type_text: str, partition: bool = False) -> Column:
    return Column(name, parse_type(type_text), is_partition_key=partition)


PLAIN = TableInfo("db", "plain", (column("id", "bigint"), column("ts", "timestamp"), column("amount", "decimal(20,6)")))
DAYS = [f"2024-01-{d:02d}" for d in range(1, 31)] + [f"2024-02-{d:02d}" for d in range(1, 16)]  # 45 partitions
BY_DAY = TableInfo("db", "by_day", (column("id", "bigint"), column("ts", "timestamp"), column("dt", "string", True)))


# --- fakes of the planner's two protocols ---------------------------------------------------------------------
class ListedPartitions:
    """PartitionLister: answers with fixed partitions (10 rows, a 20th of a slice's bytes each) and records what it
    was asked."""

    def __init__(self, values: list[str]) -> None:
        self.listed = [Partition((v,), record_count=10, size_bytes=TWENTIETH) for v in values]
        self.calls: list[tuple[str, str | None, str | None]] = []

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        self.calls.append((table.name, cursor_key.name if cursor_key else None, lower))
        return list(self.listed)


class FixedBound:
    """CursorBound: a fixed max(cursor), and the (cursor, lower) of each time it was asked."""

    def __init__(self, upper: str | None) -> None:
        self.upper = upper
        self.calls: list[tuple[str, str | None]] = []

    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        self.calls.append((cursor.name, lower))
        return self.upper


def planner(partitions: ListedPartitions | None = None, bound: FixedBound | None = None) -> StreamPlanner:
    return StreamPlanner(CONFIG, partitions or ListedPartitions([]), bound or FixedBound(None), LOGGER)


def configured(table: TableInfo, cursor: str | None) -> ConfiguredAirbyteStream:
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


# --- a whole table: one slice -----------------------------------------------------------------------------------
def test_whole_table_cursor_range_is_inclusive_and_fixed_at_start() -> None:
    bound = FixedBound("2024-03-01 00:00:00.125")
    saved = StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-02-01 00:00:00.5")
    plan = planner(bound=bound).plan(configured(PLAIN, "ts"), PLAIN, saved)
    (only,) = plan.slices
    assert bound.calls == [("ts", "2024-02-01 00:00:00.5")]
    assert only.cursor_range == ("2024-02-01 00:00:00.5", "2024-03-01 00:00:00.125")
    assert only.state_after.to_blob() == {
        "cursor_field": "ts",
        "cursor_type": "timestamp",
        "cursor": "2024-03-01 00:00:00.125",
    }
    assert plan.final_state == only.state_after and plan.label == "db.plain"
    sql = planner().select_sql(plan, only, ReadPath.PARQUET)
    assert """("ts" >= TIMESTAMP '2024-02-01 00:00:00.5') AND ("ts" <= TIMESTAMP '2024-03-01 00:00:00.125')""" in sql


def test_cursor_bound_query_casts_the_max_in_sql_past_the_saved_cursor() -> None:
    ts = PLAIN.column("ts")
    assert ts is not None
    sql = cursor_bound_sql(CONFIG, PLAIN, ts, "2024-02-01 00:00:00.5")
    assert """CAST(max("ts") AS varchar)""" in sql and """"ts" >= TIMESTAMP '2024-02-01 00:00:00.5'""" in sql
    assert '"AwsDataCatalog"."db"."plain"' in sql and "cursor bound of db.plain" in sql
    assert "WHERE" not in cursor_bound_sql(CONFIG, PLAIN, ts, None)


def test_no_rows_past_the_cursor_keeps_the_state() -> None:
    saved = StreamState(cursor_field="id", cursor_type="bigint", cursor="9007199254740993")
    plan = planner(bound=FixedBound(None)).plan(configured(PLAIN, "id"), PLAIN, saved)
    assert plan.slices == [] and plan.final_state.cursor == "9007199254740993"
    assert (plan.row_estimate, plan.byte_estimate) == (0, 0)


@pytest.mark.parametrize(("cursor", "value"), [("id", "abc"), ("id", "1.5"), ("ts", "yesterday"), ("amount", "1e5")])
def test_cursor_of_the_wrong_type_is_a_config_error(cursor: str, value: str) -> None:
    saved = StreamState(cursor_field=cursor, cursor=value)
    with pytest.raises(ConfigError, match=r"db\.plain") as caught:
        planner(bound=FixedBound("1")).plan(configured(PLAIN, cursor), PLAIN, saved)
    assert repr(value) in str(caught.value) and "reset the stream's state" in str(caught.value)


def test_changed_cursor_type_is_a_config_error_and_changed_cursor_column_starts_fresh() -> None:
    with pytest.raises(ConfigError, match="now bigint"):
        planner(bound=FixedBound("1")).plan(
            configured(PLAIN, "id"), PLAIN, StreamState(cursor_field="id", cursor_type="varchar", cursor="5")
        )
    bound = FixedBound("7")
    plan = planner(bound=bound).plan(
        configured(PLAIN, "id"), PLAIN, StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-01-01")
    )
    assert plan.slices[0].cursor_range == (None, "7") and bound.calls == [("id", None)]


def test_full_refresh_ignores_a_saved_cursor() -> None:
    bound = FixedBound("x")
    plan = planner(bound=bound).plan(configured(PLAIN, None), PLAIN, StreamState(cursor_field="id", cursor="5"))
    assert [s.cursor_range for s in plan.slices] == [None] and plan.final_state == FULL_REFRESH_COMPLETE
    assert bound.calls == [], "a full refresh asks for no cursor bound"


def test_a_finished_full_refresh_ends_with_the_cdk_terminal_state_and_is_not_read_again() -> None:
    plan = planner().plan(configured(PLAIN, None), PLAIN, StreamState())
    assert plan.final_state.to_blob() == dict(FULL_REFRESH_COMPLETE_STATE)
    assert plan.slices[-1].state_after == plan.final_state
    listed = ListedPartitions(DAYS)
    again = planner(listed).plan(
        configured(BY_DAY, None), BY_DAY, StreamState.from_blob("s", plan.final_state.to_blob())
    )
    assert again.slices == [] and again.final_state == FULL_REFRESH_COMPLETE and listed.calls == []


def test_an_incremental_stream_ignores_the_full_refresh_terminal_state() -> None:
    bound = FixedBound("7")
    plan = planner(bound=bound).plan(configured(PLAIN, "id"), PLAIN, FULL_REFRESH_COMPLETE)
    assert plan.slices[0].cursor_range == (None, "7") and plan.final_state.cursor == "7"


def test_whole_table_estimate_comes_from_glue_statistics() -> None:
    table = TableInfo("db", "stats", PLAIN.columns, parameters={"numRows": "12", "totalSize": "3400"})
    plan = planner().plan(configured(table, None), table, StreamState())
    assert (plan.row_estimate, plan.byte_estimate) == (12, 3400)


# --- partitioned: groups of partitions ---------------------------------------------------------------------------
def test_partitioned_full_refresh_checkpoints_each_slice_and_resumes_after_the_last_one() -> None:
    listed = ListedPartitions(DAYS)
    plan = planner(listed).plan(configured(BY_DAY, None), BY_DAY, StreamState())
    assert listed.calls == [("by_day", None, None)]
    assert [len(s.partitions or ()) for s in plan.slices] == [PER_SLICE, PER_SLICE, 5]
    assert [s.state_after.to_blob() for s in plan.slices] == [
        {"resume_after": [DAYS[19]]},
        {"resume_after": [DAYS[39]]},
        {"__ab_full_refresh_sync_complete": True},
    ]
    assert plan.row_estimate == 450
    # Resuming from the first checkpoint: only the partitions after it.
    resumed = planner(ListedPartitions(DAYS)).plan(configured(BY_DAY, None), BY_DAY, plan.slices[0].state_after)
    remaining = [p.values[0] for s in resumed.slices for p in s.partitions or ()]
    assert remaining == DAYS[20:]
    assert resumed.slices[-1].state_after == FULL_REFRESH_COMPLETE == resumed.final_state


def test_partitioned_table_with_a_data_cursor_keeps_the_bound_across_a_resume() -> None:
    bound = FixedBound("2024-06-01 00:00:00.000")
    saved = StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-05-01 00:00:00.000")
    plan = planner(ListedPartitions(DAYS), bound).plan(configured(BY_DAY, "ts"), BY_DAY, saved)
    mid = plan.slices[0].state_after
    assert plan.row_estimate is None  # past a cursor, the partitions' statistics are no estimate
    assert mid.to_blob() == {
        "cursor_field": "ts",
        "cursor_type": "timestamp",
        "cursor": "2024-05-01 00:00:00.000",  # not advanced until every slice is read
        "resume_after": [DAYS[19]],
        "pending_cursor": "2024-06-01 00:00:00.000",
    }
    assert plan.slices[-1].state_after.to_blob() == {
        "cursor_field": "ts",
        "cursor_type": "timestamp",
        "cursor": "2024-06-01 00:00:00.000",
    }
    assert plan.final_state == plan.slices[-1].state_after
    # The resumed sync reuses the fixed bound (no new max() query) and reads only the remaining partitions.
    later = FixedBound("2099-01-01 00:00:00.000")
    resumed = planner(ListedPartitions(DAYS), later).plan(configured(BY_DAY, "ts"), BY_DAY, mid)
    assert later.calls == []
    assert resumed.slices[0].cursor_range == ("2024-05-01 00:00:00.000", "2024-06-01 00:00:00.000")
    assert resumed.slices[0].partitions is not None and resumed.slices[0].partitions[0].values == (DAYS[20],)
    assert resumed.final_state.cursor == "2024-06-01 00:00:00.000" and resumed.final_state.pending_cursor is None


def test_partitioned_table_with_no_rows_past_a_data_cursor_has_no_slice() -> None:
    saved = StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-05-01 00:00:00.000")
    plan = planner(ListedPartitions(DAYS), FixedBound(None)).plan(configured(BY_DAY, "ts"), BY_DAY, saved)
    assert plan.slices == [] and plan.final_state == saved and plan.row_estimate == 0


# --- partitioned, the cursor a partition key ----------------------------------------------------------------------
def test_partition_key_cursor_asks_for_partitions_past_it_and_advances_with_each_group() -> None:
    listed = ListedPartitions(list(reversed(DAYS[5:])))  # the planner orders them by the cursor key itself
    bound = FixedBound("unused")
    saved = StreamState(cursor_field="dt", cursor_type="string", cursor=DAYS[5])
    plan = planner(listed, bound).plan(configured(BY_DAY, "dt"), BY_DAY, saved)
    assert listed.calls == [("by_day", "dt", DAYS[5])] and bound.calls == []
    assert [p.values[0] for s in plan.slices for p in s.partitions or ()] == DAYS[5:]
    assert [s.state_after.cursor for s in plan.slices] == [DAYS[24], DAYS[44]]
    assert plan.final_state.cursor == DAYS[-1] and plan.final_state.pending_cursor is None
    sql = planner().select_sql(plan, plan.slices[0], ReadPath.PARQUET)
    assert f""""dt" IN ('{DAYS[5]}', '{DAYS[6]}',""" in sql and f"'{DAYS[4]}'" not in sql


# --- the Glue partition lister -------------------------------------------------------------------------------------
class FakeGlue:
    """A Glue client's GetPartitions in pages of 3, honouring nothing but NextToken; records each call."""

    def __init__(self, values: list[list[str]]) -> None:
        self.partitions = [
            {"Values": v, "Parameters": {"recordCount": "10", "totalSize": str(TWENTIETH)}} for v in values
        ]
        self.calls: list[dict[str, Any]] = []

    def get_partitions(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        start = int(params.get("NextToken", "0"))
        page: dict[str, Any] = {"Partitions": self.partitions[start : start + 3]}
        if start + 3 < len(self.partitions):
            page["NextToken"] = str(start + 3)
        return page


def test_glue_partitions_are_paged_and_put_in_partition_order() -> None:
    glue = FakeGlue([[d] for d in reversed(DAYS)])  # Glue's order is not partition order
    listed = GluePartitions(glue).partitions(BY_DAY)
    assert len(glue.calls) == 15 and "Expression" not in glue.calls[0]
    assert [p.values[0] for p in listed] == DAYS and all(p.record_count == 10 for p in listed)


def test_partition_key_cursor_filters_in_glue_and_locally() -> None:
    glue = FakeGlue([[d] for d in DAYS])
    dt = BY_DAY.column("dt")
    assert dt is not None
    listed = GluePartitions(glue).partitions(BY_DAY, cursor_key=dt, lower=DAYS[40])
    assert glue.calls[0]["Expression"] == f"dt >= '{DAYS[40]}'"
    # The fake ignores the Expression: the filter is applied locally too.
    assert [p.values[0] for p in listed] == DAYS[40:]


def test_integer_partition_key_cursor_advances_in_numeric_order() -> None:
    table = TableInfo("db", "by_hour", (column("id", "bigint"), column("hour", "int", True)))
    glue = FakeGlue([[str(h)] for h in range(45)])
    real = StreamPlanner(CONFIG, GluePartitions(glue), FixedBound(None), LOGGER)  # the real lister over fake Glue
    plan = real.plan(configured(table, "hour"), table, StreamState(cursor_field="hour", cursor_type="int", cursor="3"))
    assert glue.calls[0]["Expression"] == "hour >= 3"
    assert [s.state_after.cursor for s in plan.slices] == ["22", "42", "44"]


def test_partition_values_order_by_their_type() -> None:
    number, text = column("n", "int", True), column("s", "string", True)
    assert sorted(["10", "9", None, "-1"], key=lambda v: sort_key(number, v)) == [None, "-1", "9", "10"]
    assert sorted(["b", "a", None], key=lambda v: sort_key(text, v)) == [None, "a", "b"]


def test_glue_expression_only_when_safe() -> None:
    assert glue_expression(column("dt", "string", True), "2024-01-01") == "dt >= '2024-01-01'"
    assert glue_expression(column("n", "bigint", True), "42") == "n >= 42"
    assert glue_expression(column("dt", "string", True), "it's") is None
    assert glue_expression(column("Weird Name", "string", True), "a") is None
    assert glue_expression(column("d", "date", True), "2024-01-01") is None
    assert glue_expression(column("n", "bigint", True), "4x") is None
