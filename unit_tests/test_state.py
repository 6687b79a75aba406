"""State blobs, the `--state` input and the STATE message (the planner's slices and checkpoints:
test_stream.py)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.sources.streams.checkpoint.checkpoint_reader import FULL_REFRESH_COMPLETE_STATE

from source_skoot_athena.errors import ConfigError
from source_skoot_athena.state import (
    StreamKey,
    StreamState,
    parse_state_input,
    parse_states,
    read_state_file,
    state_message,
)

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


def test_full_refresh_terminal_blob_is_the_cdks_and_a_malformed_one_names_the_stream() -> None:
    complete = StreamState(full_refresh_complete=True)
    assert complete.to_blob() == dict(FULL_REFRESH_COMPLETE_STATE)
    assert StreamState.from_blob("s", dict(FULL_REFRESH_COMPLETE_STATE)) == complete
    with pytest.raises(ConfigError, match=r"stream 'db\.t'.*__ab_full_refresh_sync_complete"):
        StreamState.from_blob("db.t", {"__ab_full_refresh_sync_complete": "yes"})


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
        ({"resume_after_file": ["s3://b/k"]}, "malformed 'resume_after_file'"),
    ],
)
def test_malformed_blob_is_a_config_error_naming_the_stream(blob: Any, expected: str) -> None:
    with pytest.raises(ConfigError, match="orders") as caught:
        StreamState.from_blob("orders", blob)
    assert expected in str(caught.value)


def test_the_last_file_read_of_a_table_read_by_files_round_trips() -> None:
    blob = {"cursor_field": "id", "cursor_type": "bigint", "cursor": "4", "resume_after_file": "s3://b/t/p-1.parquet"}
    state = StreamState.from_blob("orders", {**blob, "pending_cursor": "9"})
    assert state.resume_after_file == "s3://b/t/p-1.parquet"
    assert state.to_blob() == {**blob, "pending_cursor": "9"}


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
    assert len(messages) == 1 and messages[0]["type"] == "STREAM"
    assert parse_states(messages, LOGGER) == {
        StreamKey("db", "orders"): StreamState(cursor_field="id", cursor_type=None, cursor="5")
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
        ([{"type": "LEGACY"}], "state message 1"),
        ([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "t", "namespace": 5}}}], "namespace"),
        ([{}], "holds no stream, global or legacy state"),
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
    assert list(states) == [StreamKey("db", "orders")]
    assert "Ignoring a LEGACY state message" in caplog.text


def test_state_message_carries_descriptor_blob_and_count() -> None:
    message = state_message(
        StreamKey("db", "orders"), StreamState(cursor_field="id", cursor_type="bigint", cursor="7"), 12
    )
    assert message == {
        "type": "STATE",
        "state": {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "orders", "namespace": "db"},
                "stream_state": {"cursor_field": "id", "cursor_type": "bigint", "cursor": "7"},
            },
            "sourceStats": {"recordCount": 12.0},
        },
    }


def test_stream_key_reads_as_database_dot_table() -> None:
    assert str(StreamKey("db", "orders")) == "db.orders"
    assert str(StreamKey(None, "orders")) == "orders"
    assert StreamKey("db", "orders").namespace == "db" and StreamKey("db", "orders").name == "orders"
