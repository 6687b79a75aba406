"""State blobs, the `--state` input, partition order and the stream planner's slices and checkpoints (no AWS:
Glue and the `max(cursor)` query are faked)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, cast

import pytest
from airbyte_cdk.models import (
    AirbyteStateType,
    AirbyteStream,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
)

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.partitions import glue_expression, sort_key
from source_skoot_athena.state import (
    StreamState,
    parse_state_input,
    parse_states,
    read_state_file,
    state_message,
)
from source_skoot_athena.stream import PARTITIONS_PER_SLICE, StreamPlanner
from source_skoot_athena.types import parse_type

LOGGER = logging.getLogger("test_state")


def stream_message(name: str, blob: Any, namespace: str | None = "db") -> dict[str, Any]:
    return {
        "type": "STREAM",
        "stream": {"stream_descriptor": {"name": name, "namespace": namespace}, "stream_state": blob},
    }


# --- blobs ----------------------------------------------------------------------------------------------------
def test_blob_round_trip_keeps_cursor_text_exactly() -> None:
    state = StreamState(
        cursor_field="ts", cursor_type="timestamp(6)", cursor="2024-01-01 00:00:00.123456", pending_cursor="x"
    )
    state.resume_after = ["2024-01-01", None]
    blob = state.to_blob()
    assert blob == {
        "cursor_field": "ts",
        "cursor_type": "timestamp(6)",
        "cursor": "2024-01-01 00:00:00.123456",
        "resume_after": ["2024-01-01", None],
        "pending_cursor": "x",
    }
    assert StreamState.from_blob("s", json.loads(json.dumps(blob))) == state
    assert StreamState().to_blob() == {}
    assert StreamState.from_blob("s", None) == StreamState()
    assert StreamState.from_blob("s", {}) == StreamState()


def test_blob_numbers_become_text_without_rounding() -> None:
    assert StreamState.from_blob("s", {"cursor_field": "n", "cursor": 2**62 + 1}).cursor == str(2**62 + 1)


@pytest.mark.parametrize(
    ("blob", "expected"),
    [
        ("text", "not an object"),
        ([1], "not an object"),
        ({"cursor": {"a": 1}}, "malformed 'cursor'"),
        ({"cursor": True}, "malformed 'cursor'"),
        ({"cursor_field": ["a"]}, "malformed 'cursor_field'"),
        ({"resume_after": "p"}, "malformed 'resume_after'"),
        ({"resume_after": [1]}, "malformed 'resume_after'"),
    ],
)
def test_malformed_blob_is_a_config_error_naming_the_stream(blob: Any, expected: str) -> None:
    with pytest.raises(ConfigError, match="orders") as caught:
        StreamState.from_blob("orders", blob)
    assert expected in str(caught.value)


# --- the --state input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [None, [], {}, ""])
def test_empty_state_input_is_no_state(raw: Any) -> None:
    assert parse_state_input(raw, LOGGER) == []


def test_legacy_whole_file_state_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert parse_state_input({"orders": {"id": 5}}, LOGGER) == []
    assert "legacy state" in caplog.text


def test_valid_state_input_parses() -> None:
    messages = parse_state_input([stream_message("orders", {"cursor_field": "id", "cursor": "5"})], LOGGER)
    assert len(messages) == 1 and messages[0].type == AirbyteStateType.STREAM
    assert parse_states(messages, LOGGER) == {
        ("db", "orders"): StreamState(cursor_field="id", cursor_type=None, cursor="5")
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("text", "must be a list"),
        ([5], "state message 1"),
        ([{"type": "STREAM", "stream": {"stream_descriptor": {}}}], "no stream descriptor"),
        ([stream_message("orders", "blob")], "'orders'"),
        ([stream_message("orders", {"cursor": [1]})], "'orders'"),
        ([{"type": "GLOBAL"}], "state message 1"),
        ([{"type": "NOT_A_TYPE", "data": {}}], "state message 1"),
    ],
)
def test_malformed_state_input_is_a_config_error(raw: Any, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_state_input(raw, LOGGER)
    assert expected in str(caught.value)


def test_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("")
    assert read_state_file(str(path), LOGGER) == []
    path.write_text("[{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_state_file(str(path), LOGGER)
    with pytest.raises(ConfigError, match="cannot be read"):
        read_state_file(str(tmp_path / "missing.json"), LOGGER)
    assert read_state_file(None, LOGGER) == []


def test_legacy_and_global_messages_are_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    messages = parse_state_input(
        [{"type": "LEGACY", "data": {"orders": {}}}, stream_message("orders", {"cursor_field": "id"})], LOGGER
    )
    with caplog.at_level(logging.WARNING):
        states = parse_states(messages, LOGGER)
    assert list(states) == [("db", "orders")]
    assert "Ignoring a LEGACY state message" in caplog.text


def test_state_message_carries_descriptor_blob_and_count() -> None:
    message = state_message(("db", "orders"), StreamState(cursor_field="id", cursor_type="bigint", cursor="7"), 12)
    assert message.state is not None and message.state.stream is not None
    assert message.state.stream.stream_descriptor.namespace == "db"
    assert message.state.stream.stream_descriptor.name == "orders"
    assert message.state.stream.stream_state.__dict__ == {"cursor_field": "id", "cursor_type": "bigint", "cursor": "7"}
    assert message.state.sourceStats is not None and message.state.sourceStats.recordCount == 12.0


# --- partitions -------------------------------------------------------------------------------------------------
def column(name: str, type_text: str, partition: bool = False) -> Column:
    return Column(name, parse_type(type_text), is_partition_key=partition)


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


# --- the planner, with Glue and the max() query faked ------------------------------------------------------------
class FakeGlue:
    """GetPartitions in pages of 3, honouring nothing but NextToken; records each call's parameters."""

    def __init__(self, values: list[list[str]]) -> None:
        self.partitions = [{"Values": v, "Parameters": {"recordCount": "10"}} for v in values]
        self.calls: list[dict[str, Any]] = []

    def get_partitions(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        start = int(params.get("NextToken", "0"))
        page: dict[str, Any] = {"Partitions": self.partitions[start : start + 3]}
        if start + 3 < len(self.partitions):
            page["NextToken"] = str(start + 3)
        return page


class FakeRunner:
    def __init__(self, upper: str | None) -> None:
        self.upper = upper
        self.sql: list[str] = []

    def scalar(self, sql: str, *, purpose: str = "query") -> str | None:
        self.sql.append(sql)
        return self.upper


CONFIG = Config("Test", "ap-south-1", "AKIA", "secret", "primary", "AwsDataCatalog", 60000)


def planner(glue: FakeGlue, runner: FakeRunner) -> StreamPlanner:
    clients = cast(AwsClients, type("Clients", (), {"glue": glue})())
    return StreamPlanner(CONFIG, clients, cast(QueryRunner, runner), LOGGER)


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


PLAIN = TableInfo("db", "plain", (column("id", "bigint"), column("ts", "timestamp"), column("amount", "decimal(20,6)")))
DAYS = [f"2024-01-{d:02d}" for d in range(1, 31)] + [f"2024-02-{d:02d}" for d in range(1, 16)]  # 45 partitions
BY_DAY = TableInfo("db", "by_day", (column("id", "bigint"), column("ts", "timestamp"), column("dt", "string", True)))


def test_whole_table_cursor_range_is_inclusive_and_fixed_at_start() -> None:
    runner = FakeRunner("2024-03-01 00:00:00.125")
    saved = StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-02-01 00:00:00.5")
    plan = planner(FakeGlue([]), runner).plan(configured(PLAIN, "ts"), PLAIN, saved)
    (only,) = plan.slices
    assert only.cursor_range == ("2024-02-01 00:00:00.5", "2024-03-01 00:00:00.125")
    assert only.state_after.to_blob() == {
        "cursor_field": "ts",
        "cursor_type": "timestamp",
        "cursor": "2024-03-01 00:00:00.125",
    }
    (bound,) = runner.sql
    assert """CAST(max("ts") AS varchar)""" in bound and """"ts" >= TIMESTAMP '2024-02-01 00:00:00.5'""" in bound
    sql = planner(FakeGlue([]), runner).select_sql(plan, only, "parquet")
    assert """("ts" >= TIMESTAMP '2024-02-01 00:00:00.5') AND ("ts" <= TIMESTAMP '2024-03-01 00:00:00.125')""" in sql


def test_no_rows_past_the_cursor_keeps_the_state() -> None:
    saved = StreamState(cursor_field="id", cursor_type="bigint", cursor="9007199254740993")
    plan = planner(FakeGlue([]), FakeRunner(None)).plan(configured(PLAIN, "id"), PLAIN, saved)
    assert plan.slices == [] and plan.final_state.cursor == "9007199254740993"


@pytest.mark.parametrize(("cursor", "value"), [("id", "abc"), ("id", "1.5"), ("ts", "yesterday"), ("amount", "1e5")])
def test_cursor_of_the_wrong_type_is_a_config_error(cursor: str, value: str) -> None:
    saved = StreamState(cursor_field=cursor, cursor=value)
    with pytest.raises(ConfigError, match=r"db\.plain") as caught:
        planner(FakeGlue([]), FakeRunner("1")).plan(configured(PLAIN, cursor), PLAIN, saved)
    assert repr(value) in str(caught.value) and "reset the stream's state" in str(caught.value)


def test_changed_cursor_type_is_a_config_error_and_changed_cursor_column_starts_fresh() -> None:
    with pytest.raises(ConfigError, match="now bigint"):
        planner(FakeGlue([]), FakeRunner("1")).plan(
            configured(PLAIN, "id"), PLAIN, StreamState(cursor_field="id", cursor_type="varchar", cursor="5")
        )
    runner = FakeRunner("7")
    plan = planner(FakeGlue([]), runner).plan(
        configured(PLAIN, "id"), PLAIN, StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-01-01")
    )
    assert plan.slices[0].cursor_range == (None, "7")


def test_full_refresh_ignores_a_saved_cursor() -> None:
    plan = planner(FakeGlue([]), FakeRunner("x")).plan(
        configured(PLAIN, None), PLAIN, StreamState(cursor_field="id", cursor="5")
    )
    assert [s.cursor_range for s in plan.slices] == [None] and plan.final_state == StreamState()


def test_partitioned_full_refresh_checkpoints_each_slice_and_resumes_after_the_last_one() -> None:
    glue = FakeGlue([[d] for d in reversed(DAYS)])  # Glue's order is not partition order
    plan = planner(glue, FakeRunner(None)).plan(configured(BY_DAY, None), BY_DAY, StreamState())
    assert len(glue.calls) == 15 and "Expression" not in glue.calls[0]
    assert [len(s.partitions or ()) for s in plan.slices] == [PARTITIONS_PER_SLICE, PARTITIONS_PER_SLICE, 5]
    assert [s.state_after.to_blob() for s in plan.slices] == [
        {"resume_after": [DAYS[19]]},
        {"resume_after": [DAYS[39]]},
        {},
    ]
    assert plan.row_estimate == 450
    # Resuming from the first checkpoint: only the partitions after it.
    resumed = planner(FakeGlue([[d] for d in DAYS]), FakeRunner(None)).plan(
        configured(BY_DAY, None), BY_DAY, plan.slices[0].state_after
    )
    remaining = [p.values[0] for s in resumed.slices for p in s.partitions or ()]
    assert remaining == DAYS[20:]
    assert resumed.slices[-1].state_after == StreamState()


def test_partitioned_table_with_a_data_cursor_keeps_the_bound_across_a_resume() -> None:
    runner = FakeRunner("2024-06-01 00:00:00.000")
    saved = StreamState(cursor_field="ts", cursor_type="timestamp", cursor="2024-05-01 00:00:00.000")
    plan = planner(FakeGlue([[d] for d in DAYS]), runner).plan(configured(BY_DAY, "ts"), BY_DAY, saved)
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
    # The resumed sync reuses the fixed bound (no new max() query) and reads only the remaining partitions.
    runner.upper = "2099-01-01 00:00:00.000"
    runner.sql.clear()
    resumed = planner(FakeGlue([[d] for d in DAYS]), runner).plan(configured(BY_DAY, "ts"), BY_DAY, mid)
    assert runner.sql == []
    assert resumed.slices[0].cursor_range == ("2024-05-01 00:00:00.000", "2024-06-01 00:00:00.000")
    assert resumed.slices[0].partitions is not None and resumed.slices[0].partitions[0].values == (DAYS[20],)
    assert resumed.final_state.cursor == "2024-06-01 00:00:00.000" and resumed.final_state.pending_cursor is None


def test_partition_key_cursor_lists_only_partitions_at_or_past_it() -> None:
    glue = FakeGlue([[d] for d in DAYS])
    saved = StreamState(cursor_field="dt", cursor_type="string", cursor=DAYS[40])
    runner = FakeRunner("unused")
    plan = planner(glue, runner).plan(configured(BY_DAY, "dt"), BY_DAY, saved)
    assert glue.calls[0]["Expression"] == f"dt >= '{DAYS[40]}'"
    # The fake ignores the Expression: the filter is applied locally too.
    assert [p.values[0] for s in plan.slices for p in s.partitions or ()] == DAYS[40:]
    assert plan.final_state.cursor == DAYS[-1] and runner.sql == []
    sql = planner(glue, runner).select_sql(plan, plan.slices[0], "parquet")
    assert f"""("dt" = '{DAYS[40]}')""" in sql and f"'{DAYS[39]}'" not in sql


def test_integer_partition_key_cursor_advances_in_numeric_order() -> None:
    table = TableInfo("db", "by_hour", (column("id", "bigint"), column("hour", "int", True)))
    glue = FakeGlue([[str(h)] for h in range(45)])
    plan = planner(glue, FakeRunner(None)).plan(
        configured(table, "hour"), table, StreamState(cursor_field="hour", cursor_type="int", cursor="3")
    )
    assert glue.calls[0]["Expression"] == "hour >= 3"
    assert [s.state_after.cursor for s in plan.slices] == ["22", "42", "44"]
