"""The stand-in refuses `CAST(… AS JSON)` where Trino does (local_athena/json_casts.py): varbinary, time, zoned
timestamps, char (from the Glue types) at any depth of an array, map or row, and a map key that is no boolean,
number or varchar (a date key too), with TYPE_MISMATCH "Cannot cast <type> to json" at analysis (an empty table
too, in a SELECT and in an UNLOAD); what Trino casts (numbers, varchar, date, timestamp, json, and containers of
those) still runs. A char reads padded to its length (local_athena/char_values.py)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from local_athena import LocalAthena
from local_athena.testing import all_rows, run

DB = "json_casts"
GLUE_TYPES = {"s": "struct<a:int,b:binary>", "arr": "array<binary>", "m": "map<string,binary>", "d": "date"}


@pytest.fixture
def tables(athena_sandbox: LocalAthena) -> LocalAthena:
    data = pa.table(
        {
            "s": pa.array([{"a": 1, "b": b"\xfb\xff"}], pa.struct([("a", pa.int32()), ("b", pa.binary())])),
            "arr": pa.array([[b"\x00\xff", None]], pa.list_(pa.binary())),
            "m": pa.array([[("k", b"\x00")]], pa.map_(pa.string(), pa.binary())),
            "d": pa.array([1], pa.int32()).cast(pa.date32()),
        }
    )
    athena_sandbox.put_table(DB, "t", data, glue_types=GLUE_TYPES)
    athena_sandbox.put_table(DB, "empty", data.slice(0, 0), glue_types=GLUE_TYPES)
    return athena_sandbox


@pytest.mark.parametrize(
    ("expression", "trino_type"),
    [
        ("s", "row(a integer, b varbinary)"),
        ("arr", "array(varbinary)"),
        ("m", "map(varchar, varbinary)"),
        ("s.b", "varbinary"),
        ("MAP(ARRAY[d], ARRAY[1])", "map(date, integer)"),
        ("ARRAY[TIME '01:02:03']", "array(time(3))"),
    ],
)
@pytest.mark.parametrize("table", ["t", "empty"])
def test_refused_as_trino_refuses_it(tables: LocalAthena, expression: str, trino_type: str, table: str) -> None:
    qe = run(tables.client("athena"), f"SELECT json_format(CAST({expression} AS JSON)) FROM {DB}.{table}")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"] == f"TYPE_MISMATCH: line 1:8: Cannot cast {trino_type} to json"


def test_an_unload_is_refused_the_same_way(tables: LocalAthena) -> None:
    sql = (
        f"UNLOAD (SELECT json_format(CAST(arr AS JSON)) AS j FROM {DB}.t) "
        "TO 's3://skoot-athena-results/jc/' WITH (format='PARQUET')"
    )
    qe = run(tables.client("athena"), sql)
    assert qe["Status"]["StateChangeReason"] == "TYPE_MISMATCH: line 1:8: Cannot cast array(varbinary) to json"


def test_what_trino_casts_still_runs(tables: LocalAthena) -> None:
    client = tables.client("athena")
    sql = (
        "SELECT json_format(CAST(transform(arr, v -> to_base64(v)) AS JSON)), "
        "json_format(CAST(transform_values(m, (k, v) -> to_base64(v)) AS JSON)), "
        "json_format(CAST(CAST(ROW(s.a, to_base64(s.b)) AS row(a integer, b varchar)) AS JSON)), "
        "json_format(CAST(ARRAY[d] AS JSON)), "
        "json_format(CAST(MAP(ARRAY['t'], ARRAY[TIMESTAMP '2024-01-02 03:04:05']) AS JSON)), "
        "json_format(CAST(ARRAY[DECIMAL '1.50'] AS JSON)) "
        f"FROM {DB}.t"
    )
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    (row,) = all_rows(client, qe["QueryExecutionId"])[1:]
    assert row[:4] == ['["AP8=",null]', '{"k":"AA=="}', '{"a":1,"b":"+/8="}', '["1970-01-02"]']
    assert row[4] is not None and row[4].startswith('{"t":"2024-01-02') and row[5] is not None


def test_a_cast_inside_a_lambda_does_not_hide_the_refused_one(tables: LocalAthena) -> None:
    """A lambda parameter cannot be typed outside its lambda: the other operands of the SELECT are still checked."""
    sql = f"SELECT transform(ARRAY[1], v -> json_format(CAST(v AS JSON))), json_format(CAST(arr AS JSON)) FROM {DB}.t"
    qe = run(tables.client("athena"), sql)
    assert qe["Status"]["StateChangeReason"] == "TYPE_MISMATCH: line 1:8: Cannot cast array(varbinary) to json"


CHAR_TYPES = {
    "ch": "char(3)",
    "a": "array<char(3)>",
    "s": "struct<c:char(2)>",
    "mc": "map<char(2),int>",
    "md": "map<date,int>",
}


@pytest.fixture
def char_table(athena_sandbox: LocalAthena) -> LocalAthena:
    """Glue char(n) and date-keyed maps over Parquet strings and dates (DuckDB has no char: json_casts)."""
    data = pa.table(
        {
            "ch": pa.array(["abcd"]),
            "a": pa.array([["ab", None]], pa.list_(pa.string())),
            "s": pa.array([{"c": "x"}], pa.struct([("c", pa.string())])),
            "mc": pa.array([[("k", 1)]], pa.map_(pa.string(), pa.int32())),
            "md": pa.array([[(1, 1)]], pa.map_(pa.int32(), pa.int32())).cast(pa.map_(pa.date32(), pa.int32())),
        }
    )
    athena_sandbox.put_table(DB, "chars", data, glue_types=CHAR_TYPES)
    return athena_sandbox


@pytest.mark.parametrize(
    ("expression", "trino_type"),
    [
        ("ch", "char(3)"),
        ("a", "array(char(3))"),
        ("s", "row(c char(2))"),
        ("s.c", "char(2)"),
        ("(s).c", "char(2)"),
        ("mc", "map(char(2), integer)"),
        ("md", "map(date, integer)"),
    ],
)
def test_char_leaves_and_date_keys_are_refused_as_trino_refuses_them(
    char_table: LocalAthena, expression: str, trino_type: str
) -> None:
    qe = run(char_table.client("athena"), f"SELECT json_format(CAST({expression} AS JSON)) FROM {DB}.chars")
    assert qe["Status"]["StateChangeReason"] == f"TYPE_MISMATCH: line 1:8: Cannot cast {trino_type} to json"


def test_char_and_date_keys_rendered_as_varchar_are_cast(char_table: LocalAthena) -> None:
    """What the connector selects on the text paths (types/nested_text.py) runs; a char reads padded to its length
    at any depth, as Trino shows it (char_values), and a longer value is cut to it."""
    client = char_table.client("athena")
    sql = (
        "SELECT json_format(CAST(transform(a, v -> CAST(v AS varchar)) AS JSON)), "
        "json_format(CAST(CAST(ROW(CAST(s.c AS varchar)) AS row(c varchar)) AS JSON)), "
        "json_format(CAST(transform_keys(mc, (k, v) -> CAST(k AS varchar)) AS JSON)), "
        f"json_format(CAST(transform_keys(md, (k, v) -> CAST(k AS varchar)) AS JSON)), ch FROM {DB}.chars"
    )
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    (row,) = all_rows(client, qe["QueryExecutionId"])[1:]
    assert row == ['["ab ",null]', '{"c":"x "}', '{"k ":1}', '{"1970-01-02":1}', "abc"]
