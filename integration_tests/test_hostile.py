"""Hostile input through the command line: odd catalogs, hostile names, odd data, and a faulty AWS."""

from __future__ import annotations

import copy
import json
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, discover_catalog, run_connector
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows
from local_athena.faults import ErrorRule, QueryRule

DB = "hostile"
# Names Glue accepts as they are (lower case, single line): what is hostile here is the SQL they must be quoted in.
HOSTILE_TABLE = 'x"; drop table t; --'
HOSTILE_COLUMNS = ['a"b', "c`d", "e;f", "select", "σκιά 東京", "from where", "mixed case"]


def demo_catalog(athena: LocalAthena) -> dict[str, Any]:
    """The demo database's discovered catalog."""
    return discover_catalog(athena, ["entertainment"])


def assert_clean(run: Run) -> None:
    """No traceback, and the secret never printed."""
    run.assert_clean()
    assert DEMO_CONFIG["secret_access_key"] not in run.stdout + run.stderr


@pytest.fixture(scope="module")
def hostile_catalog(local_athena: LocalAthena) -> dict[str, Any]:
    columns = {name: [f"{name} {i}" if i % 2 else None for i in range(4)] for name in HOSTILE_COLUMNS}
    local_athena.put_table(DB, HOSTILE_TABLE, pa.table({"id": list(range(4)), **columns}))
    local_athena.put_table(
        DB, "empty_table", pa.table({"id": pa.array([], pa.int64()), "v": pa.array([], pa.string())})
    )
    long_text = "ü" * 1_000_000
    nested: Any = 1
    for _ in range(30):
        nested = [nested]
    local_athena.put_table(DB, "long_values", pa.table({"id": [1], "long_text": [long_text], "deep": [nested]}))
    return discover_catalog(local_athena, [DB])


def test_hostile_names_are_read_as_names(athena: LocalAthena, hostile_catalog: dict[str, Any]) -> None:
    names = {s["name"] for s in hostile_catalog["streams"]}
    assert HOSTILE_TABLE in names
    run = run_connector(
        "read", athena.env(), config=DEMO_CONFIG, catalog=configured_catalog(hostile_catalog, streams=[HOSTILE_TABLE])
    )
    assert run.returncode == 0, run.errors
    assert_clean(run)
    rows = sorted(run.rows(HOSTILE_TABLE), key=lambda r: r["id"])
    assert [r["select"] for r in rows] == [None, "select 1", None, "select 3"]
    assert rows[1]['a"b'] == 'a"b 1' and rows[3]["σκιά 東京"] == "σκιά 東京 3"
    assert rows[1]["mixed case"] == "mixed case 1"
    assert set(rows[1]) == {"id", *HOSTILE_COLUMNS}
    (query,) = [q for q in athena.queries if "UNLOAD" in q.sql]
    assert '"x""; drop table t; --"' in query.sql and '"a""b" AS "c1"' in query.sql
    assert all(q.state == "SUCCEEDED" for q in athena.queries)


@pytest.fixture(scope="module")
def odd_data(local_athena: LocalAthena, hostile_catalog: dict[str, Any]) -> Run:
    """One read of the empty table and the table of extreme values."""
    local_athena.faults.clear()
    catalog = configured_catalog(hostile_catalog, streams=["empty_table", "long_values"])
    run = run_connector("read", local_athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 0, run.errors
    assert_clean(run)
    return run


def test_an_empty_table_reads_as_zero_records_and_completes(odd_data: Run) -> None:
    assert odd_data.rows("empty_table") == []
    assert odd_data.statuses("empty_table") == ["STARTED", "COMPLETE"]
    assert [s["sourceStats"]["recordCount"] for s in odd_data.stream_states("empty_table")] == [0]


def test_a_million_character_string_and_30_level_nesting_round_trip(odd_data: Run) -> None:
    (row,) = odd_data.rows("long_values")
    assert row["long_text"] == "ü" * 1_000_000
    depth, value = 0, row["deep"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert (depth, value) == (30, 1)


@pytest.fixture(scope="module")
def unknown_and_vanished(local_athena: LocalAthena) -> Run:
    """One read of ratings with a column Glue no longer has, plus a stream whose table does not exist."""
    local_athena.faults.clear()
    catalog = configured_catalog(demo_catalog(local_athena), streams=["ratings"])
    ghost = copy.deepcopy(catalog["streams"][0])
    ghost["stream"]["name"] = "no_such_table"
    catalog["streams"].append(ghost)
    catalog["streams"][0]["stream"]["json_schema"]["properties"]["gone_column"] = {"type": ["null", "string"]}
    run = run_connector("read", local_athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    return run


def test_a_stream_that_cannot_be_read_fails_the_sync_after_the_others(unknown_and_vanished: Run) -> None:
    assert unknown_and_vanished.returncode == 1
    assert len(unknown_and_vanished.rows("ratings")) == len(expected_rows("ratings"))
    assert unknown_and_vanished.statuses("ratings")[-1] == "COMPLETE"


def test_a_vanished_column_is_left_out_with_a_log_line(unknown_and_vanished: Run) -> None:
    assert all("gone_column" not in row for row in unknown_and_vanished.rows("ratings"))
    assert any("gone_column" in log and "no longer in Glue" in log for log in unknown_and_vanished.logs)


def test_an_unknown_stream_is_incomplete_with_an_error_saying_to_refresh(unknown_and_vanished: Run) -> None:
    assert unknown_and_vanished.statuses("no_such_table") == ["STARTED", "INCOMPLETE"]
    assert any(
        "no_such_table no longer exists" in e["message"] and "refresh the source schema" in e["message"]
        for e in unknown_and_vanished.errors
    )


@pytest.fixture(scope="module")
def duplicate_and_empty_selection(local_athena: LocalAthena) -> Run:
    """One read with ratings configured twice and movies with no column selected."""
    local_athena.faults.clear()
    catalog = configured_catalog(demo_catalog(local_athena), streams=["ratings", "movies"])
    catalog["streams"].append(copy.deepcopy(catalog["streams"][0]))
    movies = next(s for s in catalog["streams"] if s["stream"]["name"] == "movies")
    movies["stream"]["json_schema"]["properties"] = {}
    run = run_connector("read", local_athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    return run


def test_a_stream_configured_twice_is_read_once(duplicate_and_empty_selection: Run) -> None:
    run = duplicate_and_empty_selection
    assert len(run.rows("ratings")) == len(expected_rows("ratings"))
    assert any("configured twice" in log for log in run.logs)


def test_a_stream_with_no_column_selected_is_an_error_for_that_stream(duplicate_and_empty_selection: Run) -> None:
    run = duplicate_and_empty_selection
    assert run.statuses("movies")[-1] == "INCOMPLETE"
    assert not run.rows("movies")
    assert any("no column selected" in e["message"] for e in run.errors)


def test_malformed_catalog_file_is_a_clear_error(athena: LocalAthena) -> None:
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog="{not json")
    assert run.returncode == 1
    assert_clean(run)
    assert run.errors and "catalog" in run.errors[-1]["message"].lower()


def test_a_table_whose_s3_files_are_gone_reads_as_empty(athena: LocalAthena) -> None:
    """Athena reads a table location with no objects as zero rows, not an error
    (https://repost.aws/knowledge-center/athena-empty-results): the stream completes with no records."""
    athena.put_table(DB, "lost_files", pa.table({"id": [1, 2]}))
    s3 = athena.client("s3")
    for item in s3.list_objects_v2(Bucket="skoot-data-demo", Prefix=f"{DB}/lost_files/").get("Contents", []):
        s3.delete_object(Bucket="skoot-data-demo", Key=item["Key"])
    catalog = configured_catalog(discover_catalog(athena, [DB]), streams=["lost_files"])
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    assert run.returncode == 0, run.errors
    assert run.rows("lost_files") == []
    assert run.statuses("lost_files") == ["STARTED", "COMPLETE"]
    assert [q.state for q in athena.queries if "lost_files" in q.sql] == ["SUCCEEDED"]


def test_a_faulty_aws_gives_exactly_the_clean_records(athena: LocalAthena) -> None:
    catalog = configured_catalog(demo_catalog(athena))
    athena.reset_observations()
    clean = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert clean.returncode == 0, clean.errors
    clean_calls = dict(athena.calls)
    athena.reset_observations()
    # Each rule draws from its own seeded generator: with these rates each fires within the calls a clean read
    # makes (GetQueryExecution's 4th draw, StartQueryExecution's 3rd, GetTable's and GetObject's 3rd).
    rules: list[ErrorRule | QueryRule] = [
        athena.faults.error("athena:GetQueryExecution", "ThrottlingException", rate=0.3),
        athena.faults.error("athena:StartQueryExecution", "ThrottlingException", rate=0.4),
        athena.faults.error("athena:GetWorkGroup", "ThrottlingException", count=2),
        athena.faults.error("glue:GetTable", "ThrottlingException", rate=0.3),
        athena.faults.error("s3:GetObject", "SlowDown", status=503, rate=0.3),
        athena.faults.error(
            "athena:StartQueryExecution", "TooManyRequestsException", count=3, reason="CONCURRENT_QUERY_LIMIT_EXCEEDED"
        ),
        athena.faults.fail_query('"movies"', retryable=True, count=1),
    ]
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 0, run.errors
    assert_clean(run)
    for table in ("movies", "ratings", "catalog_items"):
        got = sorted(run.rows(table), key=lambda r: json.dumps(r, sort_keys=True))
        assert len(got) == len(expected_rows(table)), table
        assert got == sorted(clean.rows(table), key=lambda r: json.dumps(r, sort_keys=True)), table
    # Every fault fired (seeded per rule, so this holds run after run), and the read went through them.
    assert [rule.fired > 0 for rule in rules] == [True] * len(rules), athena.faults.fired()
    assert [q.state for q in athena.queries if '"movies"' in q.sql] == ["FAILED", "SUCCEEDED"]
    for operation in ("athena:GetWorkGroup", "athena:StartQueryExecution", "glue:GetTable", "s3:GetObject"):
        assert athena.calls[operation] > clean_calls[operation], operation


def test_a_permanent_fault_ends_with_a_clear_error(athena: LocalAthena) -> None:
    catalog = configured_catalog(demo_catalog(athena), streams=["ratings"])
    throttle = athena.faults.error("athena:GetQueryExecution", "ThrottlingException")
    # Two attempts per call instead of botocore's eight (seconds of jittered backoff each): the same path, fast.
    run = run_connector("read", {**athena.env(), "AWS_MAX_ATTEMPTS": "2"}, config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 1
    assert_clean(run)
    assert any(
        "athena:GetQueryExecution" in e["message"] and "ThrottlingException after 2 attempts" in e["message"]
        for e in run.errors
    ), run.errors
    assert throttle.fired == athena.calls["athena:GetQueryExecution"] > 0, "every call was throttled"
