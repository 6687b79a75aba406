"""Nested values whose time-like (and, before a JSON cast, binary) leaves are rendered as their README text in SQL,
leaf by leaf, so that UNLOAD and Trino's JSON cast can take them and every read path gives the same value.

Why: inside an array, map or row, UNLOAD's Hive writer refuses `time` and zoned timestamps ("Unsupported Hive type",
trinodb/trino plugin/trino-hive .../util/HiveTypeTranslator.java `toTypeInfo` recurses into containers) and writes
timestamps in ms; Trino's `CAST(… AS JSON)` refuses `time` and zoned timestamps there (core/trino-main .../util/
JsonUtil.java `canCastToJson`) and renders a timestamp as `YYYY-MM-DD HH:MM:SS.fff`, not ISO. So each such leaf
becomes text first — a timestamp as `YYYY-MM-DDTHH:MM:SS.ffffff` (µs) or `to_iso8601` (ms, and zoned values with
their offset), a time as `CAST(… AS varchar)` — with Trino's container functions, all in Athena engine 3
(https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html): `transform` for array elements
(https://trino.io/docs/current/functions/array.html#transform), `transform_values`/`transform_keys` for map entries
(https://trino.io/docs/current/functions/map.html#transform_values), and a row rebuilt field by field,
`CAST(ROW(…) AS row(<names> …))` (a cast between rows goes by position and takes the target's field names:
https://trino.io/docs/current/language/types.html#row), NULL kept NULL.

Binary leaves: UNLOAD writes varbinary natively (the encoder base64s it), but Trino has no cast from varbinary to
JSON — `canCastToJson` lists no VarbinaryType, JsonOperators has no castFromVarbinary, so `CAST(array(varbinary)
AS JSON)` fails analysis with TYPE_MISMATCH "Cannot cast array(varbinary) to json" (core/trino-main .../util/
JsonUtil.java, .../operator/scalar/ArrayToJsonCast.java, MapToJsonCast.java, RowToJsonCast.java). Where a
container goes through that cast (the csv/api paths), its binary leaves become `to_base64(…)` first
(https://trino.io/docs/current/functions/binary.html#to_base64: standard base64, padded), README's binary value.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from source_skoot_athena.quoting import quote_identifier
from source_skoot_athena.types.model import COMPLEX_KINDS, AthenaType, Kind

TEXT_LEAF_KINDS: Final = frozenset({Kind.TIMESTAMP, Kind.TIMESTAMP_TZ, Kind.TIME})
# The leaves rendered before `CAST(… AS JSON)`: the time-like ones and varbinary, which the cast refuses.
JSON_CAST_TEXT_LEAF_KINDS: Final = TEXT_LEAF_KINDS | {Kind.VARBINARY}
MS_DIGITS: Final = 3
# Trino's date_format (MySQL letters): `%f` is the six-digit fraction (https://trino.io/docs/current/functions/
# datetime.html#mysql-date-functions); to_iso8601 prints a timestamp(p)'s own p digits.
MICROS_ISO_FORMAT: Final = "%Y-%m-%dT%H:%i:%s.%f"
VARCHAR: Final = AthenaType(Kind.VARCHAR)


def holds_text_leaf(t: AthenaType, kinds: frozenset[Kind] = TEXT_LEAF_KINDS) -> bool:
    """Whether a container has a leaf of `kinds` at any depth (a scalar is not nested: False)."""
    return t.kind in COMPLEX_KINDS and any(c.kind in kinds or holds_text_leaf(c, kinds) for c in t.children)


def text_leaf_type(t: AthenaType, kinds: frozenset[Kind] = TEXT_LEAF_KINDS) -> AthenaType:
    """The type `text_leaves` gives: every leaf of `kinds` inside `t` as varchar."""
    if t.kind in kinds:
        return VARCHAR
    children = tuple(text_leaf_type(child, kinds) for child in t.children)
    return replace(t, children=children) if children != t.children else t


def leaf_text(x: str, t: AthenaType) -> str:
    """A time-like or binary value as the text README "Values" gives it at the top level."""
    if t.kind == Kind.VARBINARY:
        return f"to_base64({x})"
    if t.kind == Kind.TIME:
        return f"CAST({x} AS varchar)"
    if t.kind == Kind.TIMESTAMP and (t.precision or 0) > MS_DIGITS:
        return f"date_format({x}, '{MICROS_ISO_FORMAT}')"
    return f"to_iso8601({x})"


def text_leaves(x: str, t: AthenaType, kinds: frozenset[Kind] = TEXT_LEAF_KINDS, depth: int = 0) -> str:
    """`x` (of type `t`) with every leaf of `kinds` rendered by `leaf_text`; unchanged when it holds none."""
    if t.kind in kinds:
        return leaf_text(x, t)
    if not holds_text_leaf(t, kinds):
        return x
    key, value = f"_k{depth}", f"_v{depth}"
    if t.kind == Kind.ARRAY:
        return f"transform({x}, {value} -> {text_leaves(value, t.children[0], kinds, depth + 1)})"
    if t.kind == Kind.MAP:
        key_type, value_type = t.children
        if key_type.kind in kinds or holds_text_leaf(key_type, kinds):
            x = f"transform_keys({x}, ({key}, {value}) -> {text_leaves(key, key_type, kinds, depth + 1)})"
        if value_type.kind in kinds or holds_text_leaf(value_type, kinds):
            x = f"transform_values({x}, ({key}, {value}) -> {text_leaves(value, value_type, kinds, depth + 1)})"
        return x
    fields = ", ".join(
        text_leaves(f"({x}).{quote_identifier(name)}", child, kinds, depth + 1)
        for name, child in zip(t.field_names, t.children, strict=True)
    )
    row_type = text_leaf_type(t, kinds).athena_sql_name()
    return f"CASE WHEN {x} IS NULL THEN NULL ELSE CAST(ROW({fields}) AS {row_type}) END"
