"""Nested values whose time-like and char (and, before a JSON cast, binary) leaves and refused map keys are rendered
as their README text in SQL, leaf by leaf, so that UNLOAD and Trino's JSON cast can take them and every read path gives the same value.

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

char(n) leaves: `canCastToJson` has no CharType either (JsonUtil.java lines 139-169 at trinodb/trino 029c93b), and
UNLOAD would write a char's stored value, which Trino keeps without its trailing spaces (spi .../type/CharType.java
`writeSlice`; lib/trino-parquet .../writer/valuewriter/CharValueWriter.java writes that slice), while the text paths
show it padded to n (CharType `getObjectValue`). So a char leaf becomes `CAST(… AS varchar)` on every path, which
pads it to n (core/trino-main .../operator/scalar/CharacterStringCasts.java `charToVarcharCast`): README's value.

Map keys: Trino casts a map to JSON only when its key is a boolean, a number or a varchar (JsonUtil.java
`isValidJsonObjectKeyType`, lines 197-208 at 029c93b), so before that cast a `date` key (Glue `map<date,int>`) also
becomes its text, `CAST(… AS varchar)`, `YYYY-MM-DD` (DateTimeUtils `printDate`), the text the encoder gives a date
key read from UNLOAD; char, timestamp and varbinary keys are text leaves already.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from source_skoot_athena.quoting import quote_identifier
from source_skoot_athena.types.model import COMPLEX_KINDS, AthenaType, Kind

TEXT_LEAF_KINDS: Final = frozenset({Kind.TIMESTAMP, Kind.TIMESTAMP_TZ, Kind.TIME, Kind.CHAR})
# The leaves rendered before `CAST(… AS JSON)`: the time-like ones, char and varbinary, which the cast refuses.
JSON_CAST_TEXT_LEAF_KINDS: Final = TEXT_LEAF_KINDS | {Kind.VARBINARY}
# Map keys rendered too before that cast: kinds it takes as values but not as JSON object keys.
JSON_CAST_TEXT_KEY_KINDS: Final = frozenset({Kind.DATE})
# Leaves whose text is Trino's own cast to varchar (a char padded to its length).
_VARCHAR_CAST_KINDS: Final = frozenset({Kind.TIME, Kind.CHAR, Kind.DATE})
NO_KINDS: Final[frozenset[Kind]] = frozenset()
MS_DIGITS: Final = 3
# Trino's date_format (MySQL letters): `%f` is the six-digit fraction (https://trino.io/docs/current/functions/
# datetime.html#mysql-date-functions); to_iso8601 prints a timestamp(p)'s own p digits.
MICROS_ISO_FORMAT: Final = "%Y-%m-%dT%H:%i:%s.%f"
VARCHAR: Final = AthenaType(Kind.VARCHAR)


def holds_text_leaf(
    t: AthenaType, kinds: frozenset[Kind] = TEXT_LEAF_KINDS, key_kinds: frozenset[Kind] = NO_KINDS
) -> bool:
    """Whether a container has a leaf of `kinds` (or a map key of `key_kinds`) at any depth (a scalar: False)."""
    if t.kind not in COMPLEX_KINDS:
        return False
    return any(
        child.kind in _child_kinds(t, index, kinds, key_kinds) or holds_text_leaf(child, kinds, key_kinds)
        for index, child in enumerate(t.children)
    )


def _child_kinds(t: AthenaType, index: int, kinds: frozenset[Kind], key_kinds: frozenset[Kind]) -> frozenset[Kind]:
    """The kinds rendered as text at child `index` of `t`: a map's key (child 0) adds `key_kinds`."""
    return kinds | key_kinds if t.kind == Kind.MAP and index == 0 else kinds


def text_leaf_type(
    t: AthenaType, kinds: frozenset[Kind] = TEXT_LEAF_KINDS, key_kinds: frozenset[Kind] = NO_KINDS
) -> AthenaType:
    """The type `text_leaves` gives: every leaf of `kinds` (and map key of `key_kinds`) inside `t` as varchar."""
    if t.kind in kinds:
        return VARCHAR
    children = tuple(
        text_leaf_type(child, _child_kinds(t, index, kinds, key_kinds), key_kinds)
        for index, child in enumerate(t.children)
    )
    return replace(t, children=children) if children != t.children else t


def leaf_text(x: str, t: AthenaType) -> str:
    """A time-like, char, date or binary value as the text README "Values" gives it at the top level."""
    if t.kind == Kind.VARBINARY:
        return f"to_base64({x})"
    if t.kind in _VARCHAR_CAST_KINDS:
        return f"CAST({x} AS varchar)"
    if t.kind == Kind.TIMESTAMP and (t.precision or 0) > MS_DIGITS:
        return f"date_format({x}, '{MICROS_ISO_FORMAT}')"
    return f"to_iso8601({x})"


def text_leaves(
    x: str,
    t: AthenaType,
    kinds: frozenset[Kind] = TEXT_LEAF_KINDS,
    key_kinds: frozenset[Kind] = NO_KINDS,
    depth: int = 0,
) -> str:
    """`x` (of type `t`) with every leaf of `kinds`, and every map key of `key_kinds`, rendered by `leaf_text`;
    unchanged when it holds none."""
    if t.kind in kinds:
        return leaf_text(x, t)
    if not holds_text_leaf(t, kinds, key_kinds):
        return x
    value = f"_v{depth}"
    if t.kind == Kind.ARRAY:
        return f"transform({x}, {value} -> {text_leaves(value, t.children[0], kinds, key_kinds, depth + 1)})"
    if t.kind == Kind.MAP:
        return _map_text_leaves(x, t, kinds, key_kinds, depth)
    fields = ", ".join(
        text_leaves(f"({x}).{quote_identifier(name)}", child, kinds, key_kinds, depth + 1)
        for name, child in zip(t.field_names, t.children, strict=True)
    )
    row_type = text_leaf_type(t, kinds, key_kinds).athena_sql_name()
    return f"CASE WHEN {x} IS NULL THEN NULL ELSE CAST(ROW({fields}) AS {row_type}) END"


def _map_text_leaves(x: str, t: AthenaType, kinds: frozenset[Kind], key_kinds: frozenset[Kind], depth: int) -> str:
    """A map's keys through `transform_keys`, its values through `transform_values`, where they hold text leaves."""
    key, value = f"_k{depth}", f"_v{depth}"
    key_type, value_type = t.children
    for index, (name, child, function) in enumerate(
        ((key, key_type, "transform_keys"), (value, value_type, "transform_values"))
    ):
        own = _child_kinds(t, index, kinds, key_kinds)
        if child.kind in own or holds_text_leaf(child, kinds, key_kinds):
            x = f"{function}({x}, ({key}, {value}) -> {text_leaves(name, child, own, key_kinds, depth + 1)})"
    return x
