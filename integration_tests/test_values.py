"""README "Values": every Athena type of the table, through a real query on each read path, with exact values.

Glue tables cannot hold `time`, `timestamp with time zone` or `json` columns (Athena's Hive DDL has none), so
those come from a view over the base table, as they would in a real lake; the view's stream therefore reads every
type of the table at once. Read paths: UNLOAD to Parquet (default workgroup), the result CSV (a workgroup on engine
version 1) and GetQueryResults (the same, with the result file denied).

Comparisons are typed: timestamps, times and dates are parsed (never compared as text in two formats), decimals
and doubles are compared as parsed from the raw JSON line (decimals exactly, floats by value and sign). README's
"shortest round-trip" for real is checked on a value whose float64 widening is not short (real 0.1).

Claims -> tests: every row of README's Values table -> test_every_value_type_on_each_read_path[parquet|csv|api];
the "YYYY-MM-DDTHH:MM:SS.fff", "HH:MM:SS.fff", "YYYY-MM-DD" and ISO-8601 shapes -> the same test.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import re
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import discover, read_ok
from integration_tests.connector import Run, configured_catalog
from local_athena import LocalAthena

DB = "val_types"
D = decimal.Decimal
BASE_TYPES = {
    "id": "bigint",
    "b": "boolean",
    "ti": "tinyint",
    "si": "smallint",
    "i": "int",
    "bi": "bigint",
    "r": "float",
    "d": "double",
    "dec": "decimal(10,3)",
    "ch": "char(3)",
    "vc": "varchar(5)",
    "s": "string",
    "dt": "date",
    "ts": "timestamp",
    "bin": "binary",
    "arr": "array<smallint>",
    "m": "map<string,float>",
    "st": "struct<x:tinyint,y:string>",
    "tm_text": "string",
    "tz_text": "string",
    "js_text": "string",
}
BASE_COLUMNS = [c for c in BASE_TYPES if not c.endswith("_text")]
VIEW_SQL = (
    f"SELECT {', '.join(BASE_COLUMNS)}, CAST(tm_text AS time(3)) AS tm, from_iso8601_timestamp(tz_text) AS tz, "
    f"json_parse(js_text) AS js FROM {DB}.base"
)
VIEW_TYPES = {
    **{c: BASE_TYPES[c] for c in BASE_COLUMNS},
    "tm": "time(3)",
    "tz": "timestamp(3) with time zone",
    "js": "json",
}


def base_table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "b": pa.array([True, False, None]),
            "ti": pa.array([-128, 127, None], pa.int8()),
            "si": pa.array([-32768, 32767, None], pa.int16()),
            "i": pa.array([-(2**31), 2**31 - 1, None], pa.int32()),
            "bi": pa.array([2**63 - 1, 2**53 + 1, None], pa.int64()),
            "r": pa.array([0.1, -0.0, None], pa.float32()),
            "d": pa.array([0.1, 1e300, None], pa.float64()),
            "dec": pa.array([D("1.500"), D("-0.001"), None], pa.decimal128(10, 3)),
            "ch": pa.array(["abc", "x y", None]),
            "vc": pa.array(["", "héllo", None]),
            "s": pa.array(['quote " backslash \\ newline \n', "emoji 😀", None]),
            "dt": pa.array([dt.date(2024, 2, 29), dt.date(1, 1, 1), None], pa.date32()),
            "ts": pa.array(
                [dt.datetime(2024, 1, 2, 3, 4, 5, 123000), dt.datetime(1970, 1, 1), None], pa.timestamp("ms")
            ),
            "bin": pa.array([b"\x00\xff", b"", None], pa.binary()),
            "arr": pa.array([[1, None, -3], [], None], pa.list_(pa.int16())),
            "m": pa.array([[("k", 1.5)], [], None], pa.map_(pa.string(), pa.float32())),
            "st": pa.array(
                [{"x": 1, "y": "a"}, {"x": None, "y": None}, None], pa.struct([("x", pa.int8()), ("y", pa.string())])
            ),
            "tm_text": pa.array(["13:14:15.678", "00:00:00.000", None]),
            "tz_text": pa.array(["2024-01-02T03:04:05.123+05:30", "2024-06-30T23:59:59.999-07:00", None]),
            "js_text": pa.array(['{"a": [1, 2.5, "x", null, true]}', '"text"', None]),
        }
    )


UTC = dt.UTC
EXPECTED: dict[int, dict[str, Any]] = {
    1: {
        "b": True,
        "ti": -128,
        "si": -32768,
        "i": -(2**31),
        "bi": 2**63 - 1,
        "r": (0.1, False),
        "d": (0.1, False),
        "dec": D("1.500"),
        "ch": "abc",
        "vc": "",
        "s": 'quote " backslash \\ newline \n',
        "dt": dt.date(2024, 2, 29),
        "ts": dt.datetime(2024, 1, 2, 3, 4, 5, 123000),
        "bin": b"\x00\xff",
        "arr": [1, None, -3],
        "m": {"k": 1.5},
        "st": {"x": 1, "y": "a"},
        "tm": dt.time(13, 14, 15, 678000),
        "tz": dt.datetime(2024, 1, 1, 21, 34, 5, 123000, tzinfo=UTC),
        "js": {"a": [1, 2.5, "x", None, True]},
    },
    2: {
        "b": False,
        "ti": 127,
        "si": 32767,
        "i": 2**31 - 1,
        "bi": 2**53 + 1,
        "r": (0.0, True),
        "d": (1e300, False),
        "dec": D("-0.001"),
        "ch": "x y",
        "vc": "héllo",
        "s": "emoji 😀",
        "dt": dt.date(1, 1, 1),
        "ts": dt.datetime(1970, 1, 1),
        "bin": b"",
        "arr": [],
        "m": {},
        "st": {"x": None, "y": None},
        "tm": dt.time(0, 0),
        "tz": dt.datetime(2024, 7, 1, 6, 59, 59, 999000, tzinfo=UTC),
        "js": "text",
    },
    3: {column: None for column in VIEW_TYPES if column != "id"},
}


def typed(row: dict[str, Any]) -> dict[str, Any]:
    """A record's values as Python types: parsed dates/times, base64 decoded, floats with their sign."""
    out = dict(row)
    for column in ("r", "d"):
        if isinstance(out[column], (float, D)):
            value = float(out[column])
            out[column] = (value, math.copysign(1.0, value) < 0)
    parsers = {
        "dt": dt.date.fromisoformat,
        "ts": dt.datetime.fromisoformat,
        "tm": dt.time.fromisoformat,
        "tz": dt.datetime.fromisoformat,
        "bin": base64.b64decode,
    }
    for column, parse in parsers.items():
        if out[column] is not None:
            out[column] = parse(out[column])
    return out


def records(run: Run) -> dict[int, dict[str, Any]]:
    """The view's RECORD data by id, parsed from the raw lines (decimals exact)."""
    rows: dict[int, dict[str, Any]] = {}
    for line in run.stdout.splitlines():
        message = json.loads(line, parse_float=D)
        if message["type"] == "RECORD" and message["record"]["stream"] == "every_type":
            data = message["record"]["data"]
            rows[int(data.pop("id"))] = data
    return rows


@pytest.fixture(scope="module")
def view_catalog(local_athena: LocalAthena) -> dict[str, Any]:
    """The base table and the view over it (every type), and an engine-v1 workgroup for the text paths."""
    local_athena.put_table(DB, "base", base_table(), glue_types=BASE_TYPES)
    local_athena.put_table(
        DB,
        "every_type",
        pa.table({c: pa.array([], pa.string()) for c in VIEW_TYPES}),
        glue_types=VIEW_TYPES,
        view_sql=VIEW_SQL,
    )
    local_athena.create_workgroup(
        "val-v1", output_location="s3://skoot-athena-results/val-v1/", engine_version="Athena engine version 1"
    )
    return configured_catalog(discover(local_athena, DB), streams=["every_type"])


PATH_LOG = {
    "parquet": "Read path: UNLOAD to Parquet",
    "csv": "Read path: result CSV (the workgroup runs Athena engine version 1",
    "api": "paging through GetQueryResults",
}
PATHS = list(PATH_LOG)


def read_on(athena: LocalAthena, catalog: dict[str, Any], path: str) -> Run:
    """Read the view on ``path``: the default workgroup (UNLOAD), engine v1 (result CSV), engine v1 with the
    result file denied (GetQueryResults)."""
    athena.faults.clear()
    athena.reset_observations()
    if path == "api":
        athena.faults.error("s3:HeadObject", "AccessDenied", status=403, message="Access Denied")
    try:
        run = read_ok(athena, catalog, DB, workgroup="skoot" if path == "parquet" else "val-v1")
    finally:
        athena.faults.clear()
    assert any(PATH_LOG[path] in log for log in run.logs), run.logs
    assert (athena.calls["athena:GetQueryResults"] > 0) == (path == "api")
    return run


@pytest.fixture(scope="module")
def view_records(local_athena: LocalAthena, view_catalog: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """The view's records by id, read once on each path."""
    return {path: records(read_on(local_athena, view_catalog, path)) for path in PATHS}


SHAPES = {
    "dt": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "ts": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$"),
    "tz": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$"),
}


@pytest.mark.parametrize("path", PATHS)
def test_every_value_type_on_each_read_path(view_records: dict[str, dict[int, dict[str, Any]]], path: str) -> None:
    rows = view_records[path]
    assert sorted(rows) == [1, 2, 3]
    for row_id, expected in EXPECTED.items():
        got = typed(rows[row_id])
        for column, value in expected.items():
            assert got[column] == value, (path, row_id, column, rows[row_id][column])
            assert type(got[column]) is type(value), (path, row_id, column, rows[row_id][column])
    # Integers beyond 2^53 stay exact: the raw JSON text holds every digit.
    assert rows[1]["bi"] == 2**63 - 1 and rows[2]["bi"] == 2**53 + 1
    # real: the shortest text that round-trips the 32-bit value ("0.1"), not its float64 widening.
    assert str(rows[1]["r"]) == "0.1"
    # README's text shapes: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS.fff (also for .000), ISO-8601 with offset.
    for column, shape in SHAPES.items():
        for row_id in (1, 2):
            assert shape.match(rows[row_id][column]), (path, column, rows[row_id][column])


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            "parquet",
            marks=pytest.mark.xfail(
                strict=True,
                reason="stand-in gap: the connector sends CAST(time AS varchar), which Athena renders with the "
                "type's 3 fraction digits; DuckDB drops a zero fraction ('00:00:00')",
            ),
        ),
        "csv",
        "api",
    ],
)
def test_time_keeps_three_fraction_digits(view_records: dict[str, dict[int, dict[str, Any]]], path: str) -> None:
    """README: time is HH:MM:SS.fff, also when the fraction is zero."""
    assert [view_records[path][row_id]["tm"] for row_id in (1, 2)] == ["13:14:15.678", "00:00:00.000"]
