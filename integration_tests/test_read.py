"""`read` through the command line: exact values on all three read paths, the SQL sent, faults and signals."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import signal
import time
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import (
    DEMO_CONFIG,
    assert_no_traceback,
    configured_catalog,
    discover_catalog,
    run_connector,
    spawn_connector,
)
from integration_tests.stdout_reader import StdoutReader
from local_athena import LocalAthena

DB = "read_edge"
D = decimal.Decimal

EDGE_TYPES = {
    "id": "bigint",
    "big": "bigint",
    "i": "int",
    "dec": "decimal(38,10)",
    "price": "decimal(12,2)",
    "s": "string",
    "d": "date",
    "ts": "timestamp",
    "dbl": "double",
    "flag": "boolean",
    "bin": "binary",
    "arr": "array<int>",
    "m": "map<string,int>",
    "st": "struct<a:int,b:string>",
}


def edge_table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int64()),
            "big": pa.array([2**63 - 1, -(2**63), 2**53 + 1, None], pa.int64()),
            "i": pa.array([0, -1, 2147483647, None], pa.int32()),
            "dec": pa.array(
                [D("1234567890123456789012345678.0123456789"), D("-0.0000000001"), D("0E-10"), None],
                pa.decimal128(38, 10),
            ),
            "price": pa.array([D("1.50"), D("-99999999.99"), D("0.00"), None], pa.decimal128(12, 2)),
            "s": pa.array(["", None, 'quote " backslash \\ newline \n tab \t ctrl \x01', "emoji 😀 Σκιά 東京"]),
            "d": pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29), None], pa.date32()),
            "ts": pa.array(
                [
                    dt.datetime(2024, 1, 2, 3, 4, 5, 123000),
                    dt.datetime(1970, 1, 1),
                    dt.datetime(1900, 1, 1, 0, 0, 0, 1000),
                    None,
                ],
                pa.timestamp("ms"),
            ),
            "dbl": pa.array([1.5, math.nan, math.inf, -0.0], pa.float64()),
            "flag": pa.array([True, False, None, True]),
            "bin": pa.array([b"\x00\xff", b"", None, b"abc"], pa.binary()),
            "arr": pa.array([[1, 2], [], None, [None, 3]], pa.list_(pa.int32())),
            "m": pa.array([[("a", 1)], [], None, [("k", None)]], pa.map_(pa.string(), pa.int32())),
            "st": pa.array(
                [{"a": 1, "b": "x"}, {"a": None, "b": None}, None, {"a": 2, "b": 'q"'}],
                pa.struct([("a", pa.int32()), ("b", pa.string())]),
            ),
        }
    )


EXPECTED: list[dict[str, Any]] = [
    {
        "id": 1,
        "big": 2**63 - 1,
        "i": 0,
        "dec": D("1234567890123456789012345678.0123456789"),
        "price": D("1.50"),
        "s": "",
        "d": "0001-01-01",
        "ts": "2024-01-02T03:04:05.123",
        "dbl": 1.5,
        "flag": True,
        "bin": "AP8=",
        "arr": [1, 2],
        "m": {"a": 1},
        "st": {"a": 1, "b": "x"},
    },
    {
        "id": 2,
        "big": -(2**63),
        "i": -1,
        "dec": D("-0.0000000001"),
        "price": D("-99999999.99"),
        "s": None,
        "d": "9999-12-31",
        "ts": "1970-01-01T00:00:00.000",
        "dbl": None,
        "flag": False,
        "bin": "",
        "arr": [],
        "m": {},
        "st": {"a": None, "b": None},
    },
    {
        "id": 3,
        "big": 2**53 + 1,
        "i": 2147483647,
        "dec": D("0.0000000000"),
        "price": D("0.00"),
        "s": 'quote " backslash \\ newline \n tab \t ctrl \x01',
        "d": "2024-02-29",
        "ts": "1900-01-01T00:00:00.001",
        "dbl": None,
        "flag": None,
        "bin": None,
        "arr": None,
        "m": None,
        "st": None,
    },
    {
        "id": 4,
        "big": None,
        "i": None,
        "dec": None,
        "price": None,
        "s": "emoji 😀 Σκιά 東京",
        "d": None,
        "ts": None,
        "dbl": -0.0,
        "flag": True,
        "bin": "YWJj",
        "arr": [None, 3],
        "m": {"k": None},
        "st": {"a": 2, "b": 'q"'},
    },
]


@pytest.fixture(scope="module")
def edge(local_athena: LocalAthena) -> dict[str, Any]:
    """The edge-value table, registered once, and its discovered catalog."""
    local_athena.put_table(DB, "edge_values", edge_table(), glue_types=EDGE_TYPES)
    return discover_catalog(local_athena, [DB])


def parse_exact(stdout: str) -> list[dict[str, Any]]:
    """RECORD data parsed with decimals kept exact (float parsing would hide lost digits)."""
    rows = []
    for line in stdout.splitlines():
        message = json.loads(line, parse_float=D)
        if message["type"] == "RECORD":
            rows.append(message["record"]["data"])
    return sorted(rows, key=lambda row: row["id"])


def normalise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """-0.0 and 0.0 compare equal as Decimals; keep the sign visible."""
    out = []
    for row in rows:
        row = dict(row)
        if isinstance(row.get("dbl"), D):
            row["dbl"] = float(row["dbl"]), str(row["dbl"]).startswith("-")
        elif isinstance(row.get("dbl"), float):
            row["dbl"] = row["dbl"], math.copysign(1, row["dbl"]) < 0
        out.append(row)
    return out


def read_edge(athena: LocalAthena, catalog: dict[str, Any], **config: Any) -> tuple[Any, list[dict[str, Any]]]:
    run = run_connector("read", athena.env(), config={**DEMO_CONFIG, **config}, catalog=configured_catalog(catalog))
    run.assert_clean()
    return run, parse_exact(run.stdout)


def test_parquet_path_values_are_exact(athena: LocalAthena, edge: dict[str, Any]) -> None:
    run, rows = read_edge(athena, edge)
    assert run.returncode == 0, run.errors
    assert normalise(rows) == normalise(EXPECTED)
    assert any("Read path: UNLOAD to Parquet" in log for log in run.logs)
    (query,) = [q for q in athena.queries if "edge_values" in q.sql]
    assert query.sql.startswith("/* source-skoot-athena: Skoot demo (read read_edge.edge_values) */ UNLOAD (SELECT")
    assert query.workgroup == "skoot"
    # NaN and Infinity are not JSON numbers: written as null and counted in a warning.
    assert any("2 NaN/Infinity value(s) were written as null" in log for log in run.logs)


def test_csv_path_gives_the_same_records(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.fail_query("UNLOAD", error_type="NOT_SUPPORTED")
    run, rows = read_edge(athena, edge)
    assert run.returncode == 0, run.errors
    assert normalise(rows) == normalise(EXPECTED)
    assert any("Read path: result CSV for the rest of this sync" in log for log in run.logs)
    assert any("read path csv" in log for log in run.logs)


def test_api_path_gives_the_same_records(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.fail_query("UNLOAD", error_type="NOT_SUPPORTED")
    athena.faults.error("s3:HeadObject", "AccessDenied", status=403, message="Access Denied")
    run, rows = read_edge(athena, edge)
    assert run.returncode == 0, run.errors
    assert normalise(rows) == normalise(EXPECTED)
    assert any("paging through GetQueryResults" in log and "SkootAthenaResultsS3" in log for log in run.logs)
    assert athena.calls["athena:GetQueryResults"] >= 1


def test_only_selected_columns_are_queried(athena: LocalAthena, edge: dict[str, Any]) -> None:
    catalog = configured_catalog(edge, columns={"edge_values": ["id", "s"]})
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 0
    assert sorted(run.rows("edge_values"), key=lambda r: r["id"])[0] == {"id": 1, "s": ""}
    (query,) = [q for q in athena.queries if "edge_values" in q.sql]
    select_list = query.sql.split("UNLOAD (SELECT ", 1)[1].split(" FROM ", 1)[0]
    assert select_list == '"id" AS "c0", "s" AS "c1"'


def test_multi_file_unload_is_read_whole_and_deleted(athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> None:
    from local_athena import result_files as standin_results

    monkeypatch.setattr(standin_results, "ROWS_PER_UNLOAD_FILE", 1000)
    n = 5500
    athena.put_table(
        DB, "many_rows", pa.table({"n": pa.array(range(n), pa.int64()), "t": [f"row {i}" for i in range(n)]})
    )
    catalog = configured_catalog(discover_catalog(athena, [DB]), streams=["many_rows"])
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 0, run.errors
    assert sorted(r["n"] for r in run.rows("many_rows")) == list(range(n))
    assert run.states[-1]["sourceStats"]["recordCount"] == n
    assert athena.calls["s3:GetObject"] >= 6, "six Parquet files (and the manifest) must each be read"
    (root,) = [log.split(" under ")[1].split(" ")[0] for log in run.logs if "Read path: UNLOAD to Parquet under" in log]
    prefix = root.removeprefix("s3://skoot-athena-results/")
    left = athena.client("s3").list_objects_v2(Bucket="skoot-athena-results", Prefix=prefix).get("KeyCount", 0)
    assert left == 0, "this sync's UNLOAD files and manifests must be deleted once written"


def test_timeout_stops_the_query_and_names_the_setting(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.delay_query("edge_values", 60)
    run, _ = read_edge(athena, edge, query_timeout_ms=1500)
    assert run.returncode == 1
    assert run.statuses("edge_values")[-1] == "INCOMPLETE"
    assert any("Query Timeout (ms)" in e["message"] and "was stopped" in e["message"] for e in run.errors)
    assert athena.calls["athena:StopQueryExecution"] >= 1
    assert [q.state for q in athena.queries if "edge_values" in q.sql] == ["CANCELLED"]


def test_failed_query_reports_athenas_reason(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.fail_query("edge_values", count=2, error_type="HIVE_CURSOR_ERROR")
    run, _ = read_edge(athena, edge)
    assert run.returncode == 1
    messages = " ".join(e["message"] for e in run.errors)
    assert "HIVE_CURSOR_ERROR" in messages and "failed" in messages
    assert all(e.get("stack_trace") in (None, "") for e in run.errors), "user errors carry no traceback"


def test_retryable_failure_and_throttling_still_give_every_record(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.fail_query("edge_values", retryable=True, count=1)
    athena.faults.error("athena:GetQueryExecution", "ThrottlingException", rate=0.3)
    athena.faults.error(
        "athena:StartQueryExecution", "TooManyRequestsException", count=2, reason="CONCURRENT_QUERY_LIMIT_EXCEEDED"
    )
    run, rows = read_edge(athena, edge)
    assert run.returncode == 0, run.errors
    assert normalise(rows) == normalise(EXPECTED)
    assert [q.state for q in athena.queries if "edge_values" in q.sql] == ["FAILED", "SUCCEEDED"]


def test_one_failing_stream_among_three(athena: LocalAthena) -> None:
    catalog = configured_catalog(discover_catalog(athena, ["entertainment"]))
    athena.faults.fail_query('"ratings"', count=2, error_type="HIVE_BAD_DATA")
    run = run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog)
    assert run.returncode == 1
    assert run.statuses("ratings") == ["STARTED", "INCOMPLETE"]
    assert run.statuses("movies")[-1] == "COMPLETE" and run.statuses("catalog_items")[-1] == "COMPLETE"
    assert len(run.rows("movies")) == 300 and len(run.rows("catalog_items")) == 20
    assert any("ratings" in e["message"] and "HIVE_BAD_DATA" in e["message"] for e in run.errors)
    # The failing stream did not switch the others to the CSV path.
    assert not any("result CSV for the rest" in log for log in run.logs)


def _wait_for_running(athena: LocalAthena, reader: StdoutReader, marker: str, timeout: float) -> None:
    """Until the stand-in holds a RUNNING query whose SQL has `marker` (the reader drains stdout meanwhile)."""
    deadline = time.monotonic() + timeout
    while not any(q.state == "RUNNING" and marker in q.sql for q in athena.queries):
        assert time.monotonic() < deadline, f"no RUNNING query with {marker!r} within {timeout:.0f} s"
        assert reader.process.poll() is None, f"the connector exited first: {reader.messages[-5:]}"
        time.sleep(0.05)


def test_sigterm_stops_the_running_query(athena: LocalAthena, edge: dict[str, Any]) -> None:
    athena.faults.delay_query("edge_values", 60)
    with spawn_connector("read", athena.env(), config=DEMO_CONFIG, catalog=configured_catalog(edge)) as process:
        reader = StdoutReader(process)
        _wait_for_running(athena, reader, "edge_values", timeout=60)
        process.send_signal(signal.SIGTERM)
        messages = reader.finish(30)
    assert process.returncode != 0
    assert athena.calls["athena:StopQueryExecution"] >= 1
    assert [q.state for q in athena.queries if "edge_values" in q.sql] == ["CANCELLED"]
    assert_no_traceback(reader.stderr, *(json.dumps(m) for m in messages))
    last = messages[-1]
    assert last["type"] == "TRACE" and "interrupted" in last["trace"]["error"]["message"]


def test_next_streams_query_runs_while_the_first_is_still_running(athena: LocalAthena) -> None:
    """Queries run ahead across streams (max_concurrent_queries), while output stays in catalog order.

    Proved after the run from Athena's own record of each query (GetQueryExecution's SubmissionDateTime and
    CompletionDateTime): the ratings query was submitted before the movies query completed.
    """
    catalog = configured_catalog(discover_catalog(athena, ["entertainment"]), streams=["movies", "ratings"])
    athena.faults.delay_query('"movies"', 3)
    run = run_connector("read", athena.env(), config={**DEMO_CONFIG, "max_concurrent_queries": 2}, catalog=catalog)
    assert run.returncode == 0, run.errors
    client = athena.client("athena")

    def statuses(table: str) -> list[dict[str, Any]]:
        queries = [q for q in athena.queries if f'"{table}"' in q.sql and "UNLOAD" in q.sql]
        assert queries, table
        return [
            client.get_query_execution(QueryExecutionId=q.query_execution_id)["QueryExecution"]["Status"]
            for q in queries
        ]

    first_ratings = min(s["SubmissionDateTime"] for s in statuses("ratings"))
    last_movies = max(s["CompletionDateTime"] for s in statuses("movies"))
    assert first_ratings < last_movies, "the ratings query must start while movies is still being queried"
    streams = [record["stream"] for record in run.records]
    assert streams == ["movies"] * 300 + ["ratings"] * 500, "records are written in catalog order"


def test_engine_version_1_workgroup_reads_the_result_csv(athena: LocalAthena, edge: dict[str, Any]) -> None:
    """Engine version 1 has no UNLOAD: the connector reads the result CSV from the start, with the same values."""
    athena.create_workgroup(
        "skoot-v1", output_location="s3://skoot-athena-results/v1/", engine_version="Athena engine version 1"
    )
    run, rows = read_edge(athena, edge, workgroup="skoot-v1")
    assert run.returncode == 0, run.errors
    assert normalise(rows) == normalise(EXPECTED)
    assert any("Read path: result CSV (the workgroup runs Athena engine version 1" in log for log in run.logs)
    assert not any("UNLOAD" in q.sql for q in athena.queries), "no UNLOAD may be sent to an engine v1 workgroup"


def test_an_s3_error_other_than_a_denial_is_not_hidden_by_getqueryresults(
    athena: LocalAthena, edge: dict[str, Any]
) -> None:
    """Only a denial of the result file means "page through GetQueryResults"; another error fails the stream."""
    athena.faults.fail_query("UNLOAD", error_type="NOT_SUPPORTED")
    athena.faults.error("s3:HeadObject", "BadRequest", status=400)
    run, _ = read_edge(athena, edge)
    assert run.returncode == 1
    assert any("s3:GetObject" in e["message"] for e in run.errors)
    assert athena.calls["athena:GetQueryResults"] == 0
