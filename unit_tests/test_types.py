"""Type strings -> parsed tree -> JSON schema, SELECT expressions and Arrow text types."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest

from source_skoot_athena.types import (
    AthenaType,
    Kind,
    is_orderable,
    json_schema,
    parse_type,
    select_expression,
    text_arrow_type,
    unloadable,
    with_timestamp_precision,
)

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
        "array<" * 2000 + "int" + ">" * 2000,
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


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("boolean", {"type": ["null", "boolean"]}),
        ("tinyint", {"type": ["null", "integer"]}),
        ("smallint", {"type": ["null", "integer"]}),
        ("int", {"type": ["null", "integer"]}),
        ("bigint", {"type": ["null", "integer"]}),
        ("float", {"type": ["null", "number"]}),
        ("double", {"type": ["null", "number"]}),
        ("decimal(38,10)", {"type": ["null", "number"]}),
        ("char(2)", NULLABLE_STRING),
        ("varchar(10)", NULLABLE_STRING),
        ("string", NULLABLE_STRING),
        ("date", {"type": ["null", "string"], "format": "date"}),
        (
            "timestamp",
            {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
        ),
        (
            "timestamp(6)",
            {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
        ),
        (
            "timestamp(3) with time zone",
            {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
        ),
        ("time", {"type": ["null", "string"], "format": "time", "airbyte_type": "time_without_timezone"}),
        (
            "time with time zone",
            {"type": ["null", "string"], "format": "time", "airbyte_type": "time_with_timezone"},
        ),
        ("binary", {"type": ["null", "string"], "contentEncoding": "base64"}),
        ("json", {}),
        ("array<int>", {"type": ["null", "array"], "items": {"type": ["null", "integer"]}}),
        (
            "map<string,date>",
            {"type": ["null", "object"], "additionalProperties": {"type": ["null", "string"], "format": "date"}},
        ),
        (
            "struct<a:int,b:string>",
            {
                "type": ["null", "object"],
                "properties": {"a": {"type": ["null", "integer"]}, "b": NULLABLE_STRING},
            },
        ),
        ("interval year to month", NULLABLE_STRING),
    ],
)
def test_json_schema_of_every_type(text: str, schema: dict) -> None:
    assert json_schema(parse_type(text)) == schema


def test_json_schema_deep_nesting() -> None:
    t = parse_type("array<struct<a:int,b:map<string,array<decimal(10,2)>>>>")
    assert json_schema(t) == {
        "type": ["null", "array"],
        "items": {
            "type": ["null", "object"],
            "properties": {
                "a": {"type": ["null", "integer"]},
                "b": {
                    "type": ["null", "object"],
                    "additionalProperties": {"type": ["null", "array"], "items": {"type": ["null", "number"]}},
                },
            },
        },
    }


def test_json_schema_returns_fresh_dicts() -> None:
    first = json_schema(parse_type("date"))
    first["type"].append("integer")
    first["format"] = "x"
    assert json_schema(parse_type("date")) == {"type": ["null", "string"], "format": "date"}


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
        ("array<timestamp with time zone>", "json_format(CAST(x AS JSON))", "json_format(CAST(x AS JSON))"),
        ("struct<a:json>", "json_format(CAST(x AS JSON))", "json_format(CAST(x AS JSON))"),
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


def test_athena_csv_text_parses_with_the_text_arrow_types() -> None:
    types = {
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
    column_types = {name: text_arrow_type(parse_type(text)) for name, text in types.items()}
    options = pcsv.ConvertOptions(column_types=column_types, strings_can_be_null=True, quoted_strings_can_be_null=False)
    table = pcsv.read_csv(io.BytesIO(ATHENA_CSV), convert_options=options)
    assert table.column("i").to_pylist() == [2**63 - 1, -(2**63), 0, None]
    doubles = table.column("d").to_pylist()
    assert doubles[0] == 1e20 and doubles[1] != doubles[1] and doubles[2] == float("-inf")
    assert table.column("r").to_pylist()[1] == float("inf")
    assert str(table.column("dec").to_pylist()[1]) == "12345678901234567890123456.0123456789"
    assert table.column("ts").to_pylist()[0].microsecond == 123000
    assert table.column("ts6").to_pylist()[1].microsecond == 999999
    assert table.column("s").to_pylist() == ["", None, "x", None]
    assert table.column("b").to_pylist() == [True, False, False, None]


def test_api_text_casts_with_the_text_arrow_types() -> None:
    cases = {
        "double": ["1.0E20", "NaN", "Infinity", "-Infinity", "-0.0", "4.9E-324"],
        "boolean": ["true", "false"],
        "timestamp": ["2024-01-01 12:00:00.123", "0001-01-01 00:00:00.000"],
        "decimal(10,2)": ["1.50", "-0.01"],
        "date": ["2024-02-29"],
    }
    for text, values in cases.items():
        cast = pc.cast(pa.array([*values, None], pa.string()), text_arrow_type(parse_type(text)))
        assert cast.null_count == 1
        assert len(cast) == len(values) + 1


def test_with_timestamp_precision() -> None:
    iceberg = with_timestamp_precision(parse_type("struct<a:timestamp,b:array<timestamp(3)>,c:int>"), 6)
    assert iceberg == parse_type("struct<a:timestamp(6),b:array<timestamp(3)>,c:int>")
    assert with_timestamp_precision(parse_type("bigint"), 6) == parse_type("bigint")
    assert text_arrow_type(with_timestamp_precision(parse_type("timestamp"), 3)) == pa.timestamp("ms")
