"""types/nested_text.py + types/read_paths.py: varbinary inside an array, map or row becomes `to_base64(…)` in SQL
where the column goes through Trino's `CAST(… AS JSON)` (which refuses varbinary: the csv/api paths, and Parquet
when the container holds json), and is left binary where UNLOAD writes it (the encoder base64s it there)."""

from __future__ import annotations

import pytest

from source_skoot_athena.types import parse_type
from source_skoot_athena.types.nested_text import (
    JSON_CAST_TEXT_LEAF_KINDS,
    holds_text_leaf,
    leaf_text,
    text_leaf_type,
)
from source_skoot_athena.types.read_paths import select_expression

STRUCT_TEXT = (
    'json_format(CAST(CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW((x)."a", to_base64((x)."b")) '
    'AS row("a" integer, "b" varchar)) END AS JSON))'
)


@pytest.mark.parametrize(
    ("glue", "text_paths"),
    [
        ("struct<a:int,b:binary>", STRUCT_TEXT),
        ("array<binary>", "json_format(CAST(transform(x, _v0 -> to_base64(_v0)) AS JSON))"),
        ("map<string,binary>", "json_format(CAST(transform_values(x, (_k0, _v0) -> to_base64(_v0)) AS JSON))"),
        ("map<binary,int>", "json_format(CAST(transform_keys(x, (_k0, _v0) -> to_base64(_k0)) AS JSON))"),
        (
            "array<array<binary>>",
            "json_format(CAST(transform(x, _v0 -> transform(_v0, _v1 -> to_base64(_v1))) AS JSON))",
        ),
    ],
)
def test_nested_binary_is_base64_text_before_the_json_cast(glue: str, text_paths: str) -> None:
    t = parse_type(glue)
    assert select_expression("x", t, "csv") == text_paths
    assert select_expression("x", t, "api") == text_paths
    assert select_expression("x", t, "parquet") == "x"  # UNLOAD writes varbinary: left as it is


def test_time_and_binary_beside_each_other_on_each_path() -> None:
    t = parse_type("struct<at:time,b:binary>")
    # Parquet: only the time is text (UNLOAD refuses it); the row keeps its varbinary field.
    assert select_expression("x", t, "parquet") == (
        'CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW(CAST((x)."at" AS varchar), (x)."b") '
        'AS row("at" varchar, "b" varbinary)) END'
    )
    assert select_expression("x", t, "csv") == (
        'json_format(CAST(CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW(CAST((x)."at" AS varchar), '
        'to_base64((x)."b")) AS row("at" varchar, "b" varchar)) END AS JSON))'
    )


def test_a_container_cast_to_json_on_parquet_too_gets_base64_leaves() -> None:
    """A row holding json cannot be UNLOADed even with text leaves: it is JSON text on Parquet as well."""
    t = parse_type("struct<j:json,b:binary>")
    expected = (
        'json_format(CAST(CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW((x)."j", to_base64((x)."b")) '
        'AS row("j" json, "b" varchar)) END AS JSON))'
    )
    assert select_expression("x", t, "parquet") == select_expression("x", t, "csv") == expected


def test_a_top_level_binary_is_unchanged() -> None:
    t = parse_type("binary")
    assert (select_expression("x", t, "parquet"), select_expression("x", t, "csv")) == ("x", "to_base64(x)")


def test_leaf_kinds_for_the_json_cast() -> None:
    assert leaf_text("v", parse_type("varbinary")) == "to_base64(v)"
    t = parse_type("map<string,struct<a:binary,b:int>>")
    assert not holds_text_leaf(t)  # for UNLOAD alone, binary is no text leaf
    assert holds_text_leaf(t, JSON_CAST_TEXT_LEAF_KINDS)
    assert text_leaf_type(t, JSON_CAST_TEXT_LEAF_KINDS) == parse_type("map<string,struct<a:varchar,b:int>>")
    assert text_leaf_type(t) == t
