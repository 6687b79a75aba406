"""Hostile input through the command line: odd catalogs, hostile names, odd data, and a faulty AWS."""

from __future__ import annotations

import copy
import json
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, configured_catalog, run_connector
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows
from local_athena.faults import ErrorRule, QueryRule

DB = "hostile"
# Names Glue accepts as they are (lower case, single line): what is hostile here is the SQL they must be quoted in.
HOSTILE_TABLE = 'x"; drop table t; --'
HOSTILE_COLUMNS = ['a"b', "c`d", "e;f", "select", "σκιά 東京", "from where", "mixed case"]


def demo_catalog(athena: LocalAthena) -> dict[str, Any]:
    run = run_connector("discover", athena.env(), config={**DEMO_CONFIG, "databases": ["entertainment"]})
    assert run.returncode == 0
    catalog: dict[str, Any] = run.of_type("CATALOG")[0]["catalog"]
    return catalog


def assert_clean(run: Any) -> None:
    text = run.stdout + run.stderr
    assert "Traceback (most recent call last)" not in text
    assert DEMO_CONFIG["secret_access_key"] not in text


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
    run = run_connector("discover", local_athena.env(), config={**DEMO_CONFIG, "databases": [DB]})
    assert run.returncode == 0, run.stdout[-2000:]
    catalog: dict[str, Any] = run.of_type("CATALOG")[0]["catalog"]
    return catalog


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


def test_empty_table_long_strings_and_deep_nesting(athena: LocalAthena, hostile_catalog: dict[str, Any]) -> None:
    catalog = configured_catalog(hostile_catalog, streams=["empty_table", "long_values"])
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 0, run.errors
    assert run.rows("empty_table") == []
    assert run.statuses("empty_table") == ["STARTED", "COMPLETE"]
    assert [
        s["sourceStats"]["recordCount"] for s in run.states if s["stream"]["stream_descriptor"]["name"] == "empty_table"
    ] == [0]
    (row,) = run.rows("long_values")
    assert row["long_text"] == "ü" * 1_000_000
    depth, value = 0, row["deep"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert (depth, value) == (30, 1)


def test_unknown_stream_and_vanished_columns(athena: LocalAthena) -> None:
    catalog = configured_catalog(demo_catalog(athena), streams=["ratings"])
    ghost = copy.deepcopy(catalog["streams"][0])
    ghost["stream"]["name"] = "no_such_table"
    catalog["streams"].append(ghost)
    catalog["streams"][0]["stream"]["json_schema"]["properties"]["gone_column"] = {"type": ["null", "string"]}
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    assert run.returncode == 1, "a stream that cannot be read fails the sync (after the others)"
    assert len(run.rows("ratings")) == 500 and "gone_column" not in run.rows("ratings")[0]
    assert any("gone_column" in log and "no longer in Glue" in log for log in run.logs)
    assert run.statuses("no_such_table") == ["STARTED", "INCOMPLETE"]
    assert any(
        "no_such_table no longer exists" in e["message"] and "refresh the source schema" in e["message"]
        for e in run.errors
    )


def test_empty_selection_and_duplicate_stream(athena: LocalAthena) -> None:
    catalog = configured_catalog(demo_catalog(athena), streams=["ratings", "movies"])
    catalog["streams"].append(copy.deepcopy(catalog["streams"][0]))
    movies = next(s for s in catalog["streams"] if s["stream"]["name"] == "movies")
    movies["stream"]["json_schema"]["properties"] = {}
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    assert len(run.rows("ratings")) == 500, "a stream configured twice is read once"
    assert any("configured twice" in log for log in run.logs)
    assert run.statuses("movies")[-1] == "INCOMPLETE"
    assert any("no column selected" in e["message"] for e in run.errors)


def test_malformed_catalog_file_is_a_clear_error(athena: LocalAthena) -> None:
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog="{not json")
    assert run.returncode == 1
    assert_clean(run)
    assert run.errors and "catalog" in run.errors[-1]["message"].lower()


def test_missing_data_files_surface_athenas_error(athena: LocalAthena) -> None:
    athena.put_table(DB, "lost_files", pa.table({"id": [1, 2]}))
    s3 = athena.client("s3")
    for item in s3.list_objects_v2(Bucket="skoot-data-demo", Prefix=f"{DB}/lost_files/").get("Contents", []):
        s3.delete_object(Bucket="skoot-data-demo", Key=item["Key"])
    run = run_connector("discover", athena.env(), config={**DEMO_CONFIG, "databases": [DB]})
    catalog = configured_catalog(run.of_type("CATALOG")[0]["catalog"], streams=["lost_files"])
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert_clean(run)
    rows = run.rows("lost_files")
    if run.returncode == 0:
        assert rows == [], "missing files may read as an empty table (as Athena does for an empty prefix)"
    else:
        assert any("lost_files" in e["message"] for e in run.errors)


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
