"""types/nested_text.py: time-like leaves inside arrays, maps and rows rendered as text in SQL; and
table_formats.iceberg_read_as, which casts an Iceberg container to Glue's type when one of its leaves differs."""

from __future__ import annotations

import pytest

from source_skoot_athena.table_formats import iceberg_read_as
from source_skoot_athena.types import Kind, parse_type, with_timestamp_precision
from source_skoot_athena.types.nested_text import holds_text_leaf, leaf_text, text_leaf_type, text_leaves

MICROS = "'%Y-%m-%dT%H:%i:%s.%f'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timestamp(6)", f"date_format(v, {MICROS})"),
        ("timestamp(3)", "to_iso8601(v)"),
        ("timestamp", "to_iso8601(v)"),
        ("timestamp(6) with time zone", "to_iso8601(v)"),
        ("time(6)", "CAST(v AS varchar)"),
    ],
)
def test_leaf_text(text: str, expected: str) -> None:
    assert leaf_text("v", parse_type(text)) == expected


def test_holds_text_leaf_looks_at_every_depth_of_containers_only() -> None:
    assert holds_text_leaf(parse_type("map<string,array<struct<a:int,b:time>>>"))
    assert not holds_text_leaf(parse_type("array<struct<a:int,b:map<string,date>>>"))
    assert not holds_text_leaf(parse_type("timestamp"))


def test_text_leaf_type_makes_each_time_like_leaf_varchar() -> None:
    t = parse_type("map<timestamp,struct<a:time,b:int,c:array<timestamp with time zone>>>")
    assert text_leaf_type(t) == parse_type("map<varchar,struct<a:varchar,b:int,c:array<varchar>>>")


def test_row_fields_are_rebuilt_and_a_null_row_stays_null() -> None:
    t = with_timestamp_precision(parse_type("struct<at:timestamp,n:string>"), 6)
    assert text_leaves("x", t) == (
        f'CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW(date_format((x)."at", {MICROS}), (x)."n") '
        'AS row("at" varchar, "n" varchar)) END'
    )


def test_array_elements_and_map_keys_and_values() -> None:
    assert text_leaves("x", parse_type("array<array<time>>")) == (
        "transform(x, _v0 -> transform(_v0, _v1 -> CAST(_v1 AS varchar)))"
    )
    assert text_leaves("x", parse_type("map<string,time>")) == (
        "transform_values(x, (_k0, _v0) -> CAST(_v0 AS varchar))"
    )
    assert text_leaves("x", parse_type("map<timestamp,int>")) == "transform_keys(x, (_k0, _v0) -> to_iso8601(_k0))"


def test_a_container_without_time_like_leaves_is_left_as_it_is() -> None:
    assert text_leaves("x", parse_type("struct<a:int,b:array<date>>")) == "x"


@pytest.mark.parametrize(
    ("glue", "cast"),
    [
        ("struct<at:timestamp,u:string>", 'row("at" timestamp(6), "u" varchar)'),
        ("array<timestamp>", "array(timestamp(6))"),
        ("map<string,string>", "map(varchar, varchar)"),
        ("array<struct<a:int>>", None),  # nothing Athena types differently: read as it is
        ("struct<a:varchar(5)>", None),
    ],
)
def test_iceberg_containers_are_cast_whole_to_glues_type(glue: str, cast: str | None) -> None:
    assert iceberg_read_as(with_timestamp_precision(parse_type(glue), 6)) == cast


@pytest.mark.parametrize("text", ["char(3)", "date", "time(3)"])
def test_char_date_and_time_leaves_are_trinos_cast_to_varchar(text: str) -> None:
    """CAST(char(n) AS varchar) pads to n (Trino charToVarcharCast): README's char value on every path."""
    assert leaf_text("v", parse_type(text)) == "CAST(v AS varchar)"


def test_char_leaves_are_text_on_every_path_at_any_depth() -> None:
    assert holds_text_leaf(parse_type("struct<a:int,b:array<char(2)>>"))
    assert text_leaves("x", parse_type("array<char(3)>")) == "transform(x, _v0 -> CAST(_v0 AS varchar))"
    assert text_leaves("x", parse_type("map<char(2),int>")) == "transform_keys(x, (_k0, _v0) -> CAST(_k0 AS varchar))"
    assert text_leaf_type(parse_type("struct<c:char(2)>")) == parse_type("struct<c:varchar>")


def test_key_kinds_render_map_keys_only() -> None:
    """A date map key becomes text where `key_kinds` says so (before a JSON cast); date values stay dates."""
    dates = frozenset({Kind.DATE})
    t = parse_type("map<date,array<date>>")
    assert not holds_text_leaf(t)
    assert holds_text_leaf(t, key_kinds=dates)
    assert text_leaves("x", t, key_kinds=dates) == "transform_keys(x, (_k0, _v0) -> CAST(_k0 AS varchar))"
    assert text_leaf_type(t, key_kinds=dates) == parse_type("map<varchar,array<date>>")
    nested = parse_type("struct<m:map<date,int>,d:date>")
    assert text_leaves("x", nested, key_kinds=dates) == (
        'CASE WHEN x IS NULL THEN NULL ELSE CAST(ROW(transform_keys((x)."m", (_k1, _v1) -> CAST(_k1 AS varchar)), '
        '(x)."d") AS row("m" map(varchar, integer), "d" date)) END'
    )
    assert text_leaves("x", parse_type("array<date>"), key_kinds=dates) == "x"
