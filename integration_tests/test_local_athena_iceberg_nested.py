"""The stand-in's Iceberg tables with `timestamptz`/`time`/`uuid` nested in a struct, a list and a map
(local_athena/iceberg_types.py, hive_writable.py): Glue's columns as the writers leave them, what Athena reads, and
UNLOAD's refusal of those types at any depth."""

from __future__ import annotations

import pyarrow as pa
import pytest

from integration_tests.nested_iceberg import NESTED_TYPES, UUID_1, UUID_2, nested_rows
from local_athena import LocalAthena
from local_athena.testing import all_rows, run

DB = "la_ice_nested"


@pytest.fixture
def nested(athena_sandbox: LocalAthena) -> LocalAthena:
    athena_sandbox.put_iceberg_table(DB, "nested", nested_rows([1, 2, 3]), types=NESTED_TYPES)
    return athena_sandbox


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def test_glue_shows_nested_types_as_the_writers_render_them(nested: LocalAthena) -> None:
    table = nested.client("glue").get_table(DatabaseName=DB, Name="nested")["Table"]
    assert {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]} == {
        "id": "bigint",
        "ts": "timestamp",
        "s": "struct<at:timestamp,t:string,u:string,n:string>",
        "arr": "array<timestamp>",
        "m": "map<string,string>",
    }


def test_athena_reads_the_nested_fields_with_icebergs_types(nested: LocalAthena) -> None:
    rows = _rows(
        nested,
        f"SELECT to_iso8601(s.at), CAST(s.t AS varchar), CAST(s.u AS varchar), to_iso8601(element_at(arr, 1)), "
        f"CAST(element_at(m, 'k1') AS varchar) FROM {DB}.nested WHERE id = 1",
    )
    # to_iso8601 renders a zoned value with its zone (the stand-in: UTC, `Z`); time and uuid give their text.
    assert rows == [["2024-01-01T06:30:00.123Z", "12:30:01.000005", UUID_1, "2024-03-04T05:06:07.890Z", UUID_2]]


def test_a_cast_to_glues_types_gives_the_utc_wall_time_and_the_text(nested: LocalAthena) -> None:
    sql = (
        'SELECT CAST(s AS row("at" timestamp(6), "t" varchar, "u" varchar, "n" varchar)).at, '
        "element_at(CAST(arr AS array(timestamp(6))), 1), element_at(CAST(m AS map(varchar, varchar)), 'k1') "
        f"FROM {DB}.nested WHERE id = 1"
    )
    # The result CSV renders timestamps with ms (the stand-in's rendering, README "Result files").
    assert _rows(nested, sql) == [["2024-01-01 06:30:00.123", "2024-03-04 05:06:07.890", UUID_2]]


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("s", "timestamp(6) with time zone"),
        ("arr", "timestamp(6) with time zone"),
        ("ARRAY[s.t]", "time"),
        ("m", "uuid"),
    ],
    ids=["struct-field", "array-element", "array-of-time", "map-value"],
)
def test_unload_refuses_those_types_at_any_depth(nested: LocalAthena, expression: str, name: str) -> None:
    sql = f"UNLOAD (SELECT {expression} FROM {DB}.nested) TO 's3://skoot-athena-results/u-nested/' WITH (format='PARQUET')"
    qe = run(nested.client("athena"), sql)
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"] == f"NOT_SUPPORTED: Unsupported Hive type: {name}"


def test_unload_writes_nested_plain_timestamps_and_text(athena_sandbox: LocalAthena) -> None:
    data = pa.table(
        {"s": pa.array([{"at": None, "n": "x"}], pa.struct([("at", pa.timestamp("us")), ("n", pa.string())]))}
    )
    athena_sandbox.put_table(DB, "plain", data)
    sql = (
        f"UNLOAD (SELECT s, MAP(ARRAY['k'], ARRAY[TIMESTAMP '2024-01-01 00:00:00']) AS m FROM {DB}.plain) "
        "TO 's3://skoot-athena-results/u-plain/' WITH (format='PARQUET')"
    )
    qe = run(athena_sandbox.client("athena"), sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
