"""types/read_paths.py: a type's SELECT expression, JSON-text and text -> Arrow rules on each read path, and
Athena's text decoded by the shipped readers (results/csv.py, results/text.py)."""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal

import pyarrow as pa
import pytest

from source_skoot_athena.results.csv import csv_batches
from source_skoot_athena.results.text import parse_text_batch
from source_skoot_athena.types.parser import parse_type
from source_skoot_athena.types.read_paths import (
    arrives_as_json_text,
    cast_text,
    holds_json_text,
    select_expression,
    text_arrow_type,
    unloadable,
)


@pytest.mark.parametrize(
    ("text", "parquet", "text_paths"),
    [
        ("bigint", "x", "x"),
        ("string", "x", "x"),
        ("decimal(10,2)", "x", "x"),
        ("timestamp", "x", "x"),
        ("date", "x", "x"),
        ("binary", "x", "to_base64(x)"),
        ("time", "CAST(x AS varchar)", "x"),
        ("timestamp with time zone", "to_iso8601(x)", "to_iso8601(x)"),
        ("json", "json_format(x)", "json_format(x)"),
        ("geometry", "CAST(x AS varchar)", "x"),
        ("array<int>", "x", "json_format(CAST(x AS JSON))"),
        ("map<string,int>", "x", "json_format(CAST(x AS JSON))"),
        ("struct<a:int>", "x", "json_format(CAST(x AS JSON))"),
        (
            "array<timestamp with time zone>",
            "transform(x, _v0 -> to_iso8601(_v0))",
            "json_format(CAST(transform(x, _v0 -> to_iso8601(_v0)) AS JSON))",
        ),
        ("array<timestamp>", "x", "json_format(CAST(transform(x, _v0 -> to_iso8601(_v0)) AS JSON))"),
        ("struct<a:json>", "json_format(CAST(x AS JSON))", "json_format(CAST(x AS JSON))"),
        # char: padded by Trino's cast to varchar on every path (UNLOAD alone would drop the padding); Athena's
        # text paths show a top-level char padded already
        ("char(3)", "CAST(x AS varchar)", "x"),
        (
            "array<char(3)>",
            "transform(x, _v0 -> CAST(_v0 AS varchar))",
            "json_format(CAST(transform(x, _v0 -> CAST(_v0 AS varchar)) AS JSON))",
        ),
        # a date map key: written by UNLOAD, but no JSON object key for Trino (isValidJsonObjectKeyType)
        ("map<date,int>", "x", "json_format(CAST(transform_keys(x, (_k0, _v0) -> CAST(_k0 AS varchar)) AS JSON))"),
        ("array<date>", "x", "json_format(CAST(x AS JSON))"),
    ],
)
def test_select_expression(text: str, parquet: str, text_paths: str) -> None:
    t = parse_type(text)
    assert select_expression("x", t, "parquet") == parquet
    assert select_expression("x", t, "csv") == text_paths
    assert select_expression("x", t, "api") == text_paths


def test_select_expression_rejects_unknown_path() -> None:
    with pytest.raises(ValueError, match="read path"):
        select_expression("x", parse_type("int"), "odbc")


def test_unloadable() -> None:
    assert unloadable(parse_type("array<struct<a:int,b:map<string,date>>>"))
    assert not unloadable(parse_type("array<struct<a:time>>"))
    assert not unloadable(parse_type("json"))
    assert not unloadable(parse_type("struct<c:char(2)>"))


@pytest.mark.parametrize(
    ("text", "arrow_type"),
    [
        ("boolean", pa.bool_()),
        ("tinyint", pa.int64()),
        ("int", pa.int64()),
        ("bigint", pa.int64()),
        ("real", pa.float64()),
        ("double", pa.float64()),
        ("decimal(38,10)", pa.decimal128(38, 10)),
        ("decimal(50,2)", pa.decimal256(50, 2)),
        ("decimal", pa.decimal128(10, 0)),
        ("date", pa.date32()),
        ("timestamp", pa.timestamp("us")),
        ("timestamp(3)", pa.timestamp("ms")),
        ("timestamp(6)", pa.timestamp("us")),
        ("timestamp(0)", pa.timestamp("s")),
        ("timestamp with time zone", pa.string()),
        ("time", pa.string()),
        ("varchar", pa.string()),
        ("binary", pa.string()),
        ("json", pa.string()),
        ("array<int>", pa.string()),
        ("geometry", pa.string()),
    ],
)
def test_text_arrow_type(text: str, arrow_type: pa.DataType) -> None:
    assert text_arrow_type(parse_type(text)) == arrow_type


@pytest.mark.parametrize(
    ("text", "parquet", "text_paths"),
    [
        ("bigint", False, False),
        ("binary", False, False),
        ("timestamp with time zone", False, False),
        ("json", True, True),
        ("array<int>", False, True),
        ("map<string,int>", False, True),
        ("struct<a:int>", False, True),
        ("array<time>", False, True),  # its elements as text: UNLOAD writes array(varchar)
        ("struct<a:time,b:json>", True, True),  # json inside: UNLOAD cannot write it either way
    ],
)
def test_arrives_as_json_text(text: str, parquet: bool, text_paths: bool) -> None:
    t = parse_type(text)
    assert arrives_as_json_text(t, "parquet") is parquet
    assert arrives_as_json_text(t, "csv") is arrives_as_json_text(t, "api") is text_paths
    assert ("json_format" in select_expression("x", t, "parquet")) is parquet
    assert ("json_format" in select_expression("x", t, "csv")) is text_paths


def test_holds_json_text_only_for_json_and_nested_types_that_arrived_as_text() -> None:
    assert holds_json_text(parse_type("json"), pa.string())
    assert holds_json_text(parse_type("array<int>"), pa.large_string())
    assert not holds_json_text(parse_type("array<int>"), pa.list_(pa.int32()))
    assert not holds_json_text(parse_type("varchar"), pa.string())
    assert not holds_json_text(parse_type("time"), pa.string())


ATHENA_CSV = (
    b'"b","i","d","r","dec","dt","ts","ts6","s"\n'
    b'"true","9223372036854775807","1.0E20","0.1","-0.0000000001","2024-01-01","2024-01-01 12:00:00.123",'
    b'"2024-01-01 12:00:00.123456",""\n'
    b'"false","-9223372036854775808","NaN","Infinity","12345678901234567890123456.0123456789","0001-01-01",'
    b'"0001-01-01 00:00:00.000","9999-12-31 23:59:59.999999",\n'
    b'"false","0","-Infinity","-0.0","1E-10","9999-12-31","9999-12-31 23:59:59.999","1970-01-01 00:00:00.000000",'
    b'"x"\n'
    b",,,,,,,,\n"
)
CSV_TYPES = {
    "b": "boolean",
    "i": "bigint",
    "d": "double",
    "r": "real",
    "dec": "decimal(38,10)",
    "dt": "date",
    "ts": "timestamp",
    "ts6": "timestamp(6)",
    "s": "varchar",
}


def test_athena_csv_text_is_typed_by_the_csv_reader() -> None:
    names = list(CSV_TYPES)
    types = [parse_type(text) for text in CSV_TYPES.values()]
    table = pa.Table.from_batches(list(csv_batches(io.BytesIO(ATHENA_CSV), names, types)))
    assert [field.type for field in table.schema] == [text_arrow_type(t) for t in types]
    assert table.column("b").to_pylist() == [True, False, False, None]
    assert table.column("i").to_pylist() == [2**63 - 1, -(2**63), 0, None]
    doubles = table.column("d").to_pylist()
    assert doubles[0] == 1e20 and math.isnan(doubles[1]) and doubles[2] == float("-inf") and doubles[3] is None
    assert table.column("r").to_pylist()[:3] == [0.1, float("inf"), 0.0]
    assert math.copysign(1.0, table.column("r").to_pylist()[2]) == -1.0
    assert table.column("dec").to_pylist() == [
        Decimal("-0.0000000001"),
        Decimal("12345678901234567890123456.0123456789"),
        Decimal("1E-10"),
        None,
    ]
    assert table.column("dt").to_pylist() == [dt.date(2024, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), None]
    assert table.column("ts").to_pylist() == [
        dt.datetime(2024, 1, 1, 12, 0, 0, 123000),
        dt.datetime(1, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999000),
        None,
    ]
    assert table.column("ts6").to_pylist()[:2] == [
        dt.datetime(2024, 1, 1, 12, 0, 0, 123456),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    ]
    assert table.column("s").to_pylist() == ["", None, "x", None]


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("double", ["1.0E20", "Infinity", "-Infinity", "-0.0", "4.9E-324"], [1e20, math.inf, -math.inf, -0.0, 5e-324]),
        ("boolean", ["true", "false", "TRUE", "False"], [True, False, True, False]),
        ("bigint", ["-9223372036854775808", "0"], [-(2**63), 0]),
        (
            "timestamp",
            ["2024-01-01 12:00:00.123", "0001-01-01 00:00:00.000"],
            [dt.datetime(2024, 1, 1, 12, 0, 0, 123000), dt.datetime(1, 1, 1)],
        ),
        ("timestamp(3)", ["2024-01-01 12:00:00.123"], [dt.datetime(2024, 1, 1, 12, 0, 0, 123000)]),
        ("decimal(10,2)", ["1.50", "-0.01"], [Decimal("1.50"), Decimal("-0.01")]),
        ("date", ["2024-02-29"], [dt.date(2024, 2, 29)]),
        ("varchar", ["", "TRUE"], ["", "TRUE"]),
        ("array<int>", ["[1,2]"], ["[1,2]"]),
    ],
)
def test_api_text_is_typed_by_the_text_reader(text: str, values: list[str], expected: list[object]) -> None:
    t = parse_type(text)
    batch = parse_text_batch(["c"], [pa.array([*values, None], pa.string())], [t])
    column = batch.column(0)
    assert column.type == text_arrow_type(t)
    assert column.to_pylist() == [*expected, None]
    assert column.equals(cast_text(pa.array([*values, None], pa.string()), t))


def test_nan_text_is_a_float_nan() -> None:
    (value,) = cast_text(pa.array(["NaN"]), parse_type("double")).to_pylist()
    assert math.isnan(value)
