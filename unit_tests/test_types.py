"""types/model.py and types/parser.py: type strings -> the parsed tree, and back to Trino syntax."""

from __future__ import annotations

import pyarrow as pa
import pytest

from source_skoot_athena.types.model import AthenaType, Kind, is_orderable, with_timestamp_precision
from source_skoot_athena.types.parser import parse_type
from source_skoot_athena.types.read_paths import text_arrow_type
from source_skoot_athena.types.schema import json_schema

NULLABLE_STRING = {"type": ["null", "string"]}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("boolean", Kind.BOOLEAN),
        ("tinyint", Kind.TINYINT),
        ("smallint", Kind.SMALLINT),
        ("int", Kind.INTEGER),
        ("integer", Kind.INTEGER),
        ("bigint", Kind.BIGINT),
        ("float", Kind.REAL),
        ("real", Kind.REAL),
        ("double", Kind.DOUBLE),
        ("double precision", Kind.DOUBLE),
        ("decimal(10,2)", Kind.DECIMAL),
        ("char(3)", Kind.CHAR),
        ("varchar", Kind.VARCHAR),
        ("varchar(65535)", Kind.VARCHAR),
        ("string", Kind.VARCHAR),
        ("date", Kind.DATE),
        ("timestamp", Kind.TIMESTAMP),
        ("timestamp(6)", Kind.TIMESTAMP),
        ("timestamp(3) with time zone", Kind.TIMESTAMP_TZ),
        ("timestamp with time zone", Kind.TIMESTAMP_TZ),
        ("timestamp without time zone", Kind.TIMESTAMP),
        ("time", Kind.TIME),
        ("time(3)", Kind.TIME),
        ("time with time zone", Kind.TIME_TZ),
        ("binary", Kind.VARBINARY),
        ("varbinary", Kind.VARBINARY),
        ("json", Kind.JSON),
        ("array<int>", Kind.ARRAY),
        ("array(integer)", Kind.ARRAY),
        ("map<string,int>", Kind.MAP),
        ("map(varchar, integer)", Kind.MAP),
        ("struct<a:int>", Kind.ROW),
        ("row(a integer)", Kind.ROW),
    ],
)
def test_every_type_name_parses(text: str, kind: Kind) -> None:
    assert parse_type(text).kind == kind
    assert parse_type(text.upper()).kind == kind
    assert parse_type(f"  {text}  ").kind == kind


def test_parameters() -> None:
    assert parse_type("decimal(38,10)") == AthenaType(Kind.DECIMAL, precision=38, scale=10)
    assert parse_type("decimal") == AthenaType(Kind.DECIMAL, precision=10, scale=0)
    assert parse_type("decimal(5)") == AthenaType(Kind.DECIMAL, precision=5, scale=0)
    assert parse_type("DECIMAL ( 12 , 2 )") == AthenaType(Kind.DECIMAL, precision=12, scale=2)
    assert parse_type("varchar(10)").length == 10
    assert parse_type("char(1)").length == 1
    assert parse_type("timestamp(6)").precision == 6
    assert parse_type("timestamp").precision is None
    assert parse_type("timestamp(3) with time zone").precision == 3


def test_deep_nesting_hive_and_trino_are_the_same_tree() -> None:
    hive = parse_type("array<struct<a:int,b:map<string,array<decimal(10,2)>>>>")
    trino = parse_type("ARRAY(ROW(a INTEGER, b MAP(VARCHAR, ARRAY(DECIMAL(10, 2)))))")
    assert hive == trino
    assert hive.kind == Kind.ARRAY
    row = hive.children[0]
    assert row.field_names == ("a", "b")
    assert row.children[0] == AthenaType(Kind.INTEGER)
    assert row.children[1].children[1].children[0] == AthenaType(Kind.DECIMAL, precision=10, scale=2)
    assert hive.athena_sql_name() == 'array(row("a" integer, "b" map(varchar, array(decimal(10,2)))))'


def test_field_names_with_spaces_quotes_backticks_and_case() -> None:
    t = parse_type('struct<`my field`:int, `we``ird`:string, "dq""x":double, CamelCase : bigint>')
    assert t.field_names == ("my field", "we`ird", 'dq"x', "CamelCase")
    assert parse_type("struct<my field:int>").field_names == ("my field",)
    row = parse_type('row("a b" integer, "x""y" varchar, date date, c timestamp(3) with time zone)')
    assert row.field_names == ("a b", 'x"y', "date", "c")
    assert row.children[3] == AthenaType(Kind.TIMESTAMP_TZ, precision=3)
    assert row.athena_sql_name() == ('row("a b" integer, "x""y" varchar, "date" date, "c" timestamp(3) with time zone)')


def test_anonymous_row_fields() -> None:
    t = parse_type("row(integer, varchar)")
    assert t.field_names == ("field0", "field1")
    assert t.children == (AthenaType(Kind.INTEGER), AthenaType(Kind.VARCHAR))


@pytest.mark.parametrize(
    "text",
    [
        "interval day to second",
        "geometry",
        "garbage!!",
        "array<int",
        "map<int>",
        "struct<>",
        "",
        "int int",
        "decimal(0,0)",
        "decimal(5,6)",
        "varchar(max)",
        pytest.param("array<" * 2000 + "int" + ">" * 2000, id="array nested 2000 deep"),
    ],
)
def test_unknown_or_broken_types_never_raise(text: str) -> None:
    t = parse_type(text)
    assert t.kind == Kind.UNKNOWN
    assert t.raw == text.strip()
    assert t.athena_sql_name() == text.strip()
    assert json_schema(t) == NULLABLE_STRING


def test_unknown_leaf_inside_nested_type_keeps_the_structure() -> None:
    t = parse_type("array<geometry>")
    assert t.kind == Kind.ARRAY
    assert t.children[0] == AthenaType(Kind.UNKNOWN, raw="geometry")
    assert json_schema(t) == {"type": ["null", "array"], "items": NULLABLE_STRING}
    assert parse_type("struct<a:interval day to second,b:int>").children[0].raw == "interval day to second"


def test_raw_text_is_kept_but_not_compared() -> None:
    assert parse_type("INT").raw == "INT"
    assert parse_type("INT") == parse_type("integer")


def test_is_orderable() -> None:
    orderable = [
        "int",
        "bigint",
        "tinyint",
        "decimal(10,2)",
        "double",
        "float",
        "date",
        "timestamp",
        "timestamp(6)",
        "string",
        "varchar(3)",
        "char(2)",
    ]
    others = [
        "boolean",
        "binary",
        "json",
        "array<int>",
        "map<string,int>",
        "struct<a:int>",
        "geometry",
        "timestamp with time zone",
        "time",
    ]
    assert all(is_orderable(parse_type(t)) for t in orderable)
    assert not any(is_orderable(parse_type(t)) for t in others)


def test_with_timestamp_precision() -> None:
    iceberg = with_timestamp_precision(parse_type("struct<a:timestamp,b:array<timestamp(3)>,c:int>"), 6)
    assert iceberg == parse_type("struct<a:timestamp(6),b:array<timestamp(3)>,c:int>")
    assert with_timestamp_precision(parse_type("bigint"), 6) == parse_type("bigint")
    assert text_arrow_type(with_timestamp_precision(parse_type("timestamp"), 3)) == pa.timestamp("ms")
