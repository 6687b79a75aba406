"""types/schema.py: the JSON schema of every type, and the kinds it declares as strings."""

from __future__ import annotations

from typing import Any

import pytest

from source_skoot_athena.types.model import AthenaType, Kind
from source_skoot_athena.types.parser import parse_type
from source_skoot_athena.types.schema import STRING_SCHEMA_KINDS, json_schema

NULLABLE_STRING = {"type": ["null", "string"]}


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


def test_string_schema_kinds_are_the_leaves_declared_as_strings() -> None:
    leaves = [kind for kind in Kind if kind not in (Kind.ARRAY, Kind.MAP, Kind.ROW)]
    declared: dict[Kind, Any] = {kind: json_schema(AthenaType(kind)).get("type") for kind in leaves}
    assert {kind for kind, types in declared.items() if types == ["null", "string"]} == STRING_SCHEMA_KINDS
    assert {Kind.VARCHAR, Kind.UNKNOWN, Kind.TIME, Kind.VARBINARY} <= STRING_SCHEMA_KINDS
    assert not STRING_SCHEMA_KINDS & {Kind.BOOLEAN, Kind.BIGINT, Kind.DOUBLE, Kind.DECIMAL, Kind.JSON}
