"""A type's rules on each read path, SQL side and text side together: what to SELECT so the value arrives
decodable, whether it arrives as JSON text, and the Arrow type (and cast) its text becomes.

These rules live beside the type model, not in encoding/: the SQL builder (stream planning), the text
readers (results/) and the record encoder all apply them, and all three already depend on `types`, so
keeping them here adds no dependency between those layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from source_skoot_athena.types.model import (
    COMPLEX_KINDS,
    FLOAT_KINDS,
    INTEGER_KINDS,
    PARQUET,
    PATHS,
    AthenaType,
    Kind,
    decimal_params,
)
from source_skoot_athena.types.nested_text import (
    JSON_CAST_TEXT_KEY_KINDS,
    JSON_CAST_TEXT_LEAF_KINDS,
    text_leaf_type,
    text_leaves,
)

if TYPE_CHECKING:  # pyarrow is imported where a function needs it: stream planning (SQL) runs without it, so
    import pyarrow as pa  # `read` submits its first query before pyarrow (≈0.3 s) is loaded (issue 17)

MAX_DECIMAL128_PRECISION: Final = 38
# Kinds UNLOAD cannot write to Parquet as their README value: they are rendered as text in the SELECT instead. char
# is written, but without the padding the other paths show (nested_text: `CAST(… AS varchar)` pads it).
_NOT_UNLOADABLE_KINDS: Final = frozenset(
    {Kind.TIME, Kind.TIME_TZ, Kind.TIMESTAMP_TZ, Kind.JSON, Kind.UNKNOWN, Kind.CHAR}
)
# Kinds whose value, when it arrives as a string, is JSON text (rendered by `json_format`), to embed raw.
JSON_TEXT_KINDS: Final = COMPLEX_KINDS | {Kind.JSON}


# UNLOAD writes through the Hive writer, whose timestamps are milliseconds (Trino's Hive connector writes at its
# `hive.timestamp-precision`, MILLISECONDS by default: trinodb/trino plugin/trino-hive HiveConfig; the stand-in's
# UNLOAD writes timestamp[ms]). A timestamp declared finer (Iceberg's timestamp(6)) is rendered as text instead,
# so its microseconds are kept on every path.
UNLOAD_TIMESTAMP_PRECISION: Final = 3


def unloadable(t: AthenaType) -> bool:
    """Whether UNLOAD to Parquet can write this type as it is, giving README's value (no time, zoned, json, char
    or sub-millisecond timestamp values inside)."""
    if t.kind == Kind.TIMESTAMP and (t.precision or 0) > UNLOAD_TIMESTAMP_PRECISION:
        return False
    return t.kind not in _NOT_UNLOADABLE_KINDS and all(unloadable(child) for child in t.children)


def unloadable_as_text_leaves(t: AthenaType) -> bool:
    """Whether UNLOAD can write this type once its nested time-like leaves are text (nested_text): then it
    arrives on Parquet as itself, those leaves as strings the encoder parses by their declared type."""
    return unloadable(t) or (t.kind in COMPLEX_KINDS and unloadable(text_leaf_type(t)))


def arrives_as_text(t: AthenaType, path: str) -> bool:
    """Whether the value comes back as a string: always on the text paths (csv, api), and on Parquet when
    UNLOAD cannot write the type (nor, for a container, the type with its time-like leaves as text)."""
    return path != PARQUET or not unloadable_as_text_leaves(t)


def holds_json_text(t: AthenaType, arrow_type: pa.DataType) -> bool:
    """Whether a value of `t` that arrived as `arrow_type` is JSON text, to be embedded as JSON, not as a
    JSON string (json columns, and nested columns that arrived as text)."""
    return t.kind in JSON_TEXT_KINDS and is_text(arrow_type)


def arrives_as_json_text(t: AthenaType, path: str) -> bool:
    """Whether the value arrives on `path` as a string holding JSON text."""
    return t.kind == Kind.JSON or (t.kind in JSON_TEXT_KINDS and arrives_as_text(t, path))


def select_expression(quoted_column: str, t: AthenaType, path: str) -> str:
    """The SELECT-list expression (without alias) that brings this column back decodable on `path`.

    Parquet keeps native types and renders only what UNLOAD cannot write; the text paths (csv, api) render
    nested values as JSON text, binary as base64 and zoned timestamps as ISO-8601, since Athena's own text
    for those is not parseable JSON/bytes. Nested time-like leaves are rendered as text first (nested_text)
    where UNLOAD or the JSON cast could not take them, on every path alike; nested binary leaves only where
    the JSON cast follows (it refuses varbinary; UNLOAD writes it, and the encoder gives the same base64).
    """
    if path not in PATHS:
        raise ValueError(f"unknown read path {path!r}; expected one of {PATHS}")
    x = quoted_column
    if t.kind == Kind.JSON:
        return f"json_format({x})"
    as_json = arrives_as_json_text(t, path)
    if t.kind in COMPLEX_KINDS and not (path == PARQUET and unloadable(t)):
        x = text_leaves(x, t, JSON_CAST_TEXT_LEAF_KINDS, JSON_CAST_TEXT_KEY_KINDS) if as_json else text_leaves(x, t)
    if as_json:
        return f"json_format(CAST({x} AS JSON))"
    if t.kind == Kind.TIMESTAMP_TZ:
        return f"to_iso8601({x})"
    if path == PARQUET:
        return f"CAST({x} AS varchar)" if not unloadable_as_text_leaves(t) else x
    if t.kind == Kind.VARBINARY:
        return f"to_base64({x})"
    return x


def timestamp_unit(t: AthenaType) -> str | None:
    """The Arrow unit holding a timestamp's declared fractional digits; None when none is declared."""
    if t.precision is None:
        return None
    if t.precision == 0:
        return "s"
    if t.precision <= 3:
        return "ms"
    return "us" if t.precision <= 6 else "ns"


def text_arrow_type(t: AthenaType) -> pa.DataType:
    """The Arrow type that the csv/api text of `select_expression(..., t, path)` is cast to.

    Athena writes `true`, `1.0E20`, `NaN`, `-Infinity`, `2024-01-01 12:00:00.123`: pyarrow parses all of
    them. A `timestamp` without declared precision may be Hive's (ms) or Iceberg's (us): it is parsed as us,
    which holds both (the encoder then prints only the digits the values need).
    """
    import pyarrow as pa

    if t.kind == Kind.BOOLEAN:
        return pa.bool_()
    if t.kind in INTEGER_KINDS:
        return pa.int64()
    if t.kind in FLOAT_KINDS:
        return pa.float64()
    if t.kind == Kind.DECIMAL:
        precision, scale = decimal_params(t)
        if precision > MAX_DECIMAL128_PRECISION:
            return pa.decimal256(precision, scale)
        return pa.decimal128(precision, scale)
    if t.kind == Kind.DATE:
        return pa.date32()
    if t.kind == Kind.TIMESTAMP:
        return pa.timestamp(timestamp_unit(t) or "us")
    return pa.string()


def is_text(arrow_type: pa.DataType) -> bool:
    """Whether Arrow holds these values as UTF-8 text (string or large_string)."""
    import pyarrow as pa

    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def cast_text(values: pa.Array, t: AthenaType) -> pa.Array:
    """Athena's text of a `t` column cast to `text_arrow_type(t)`: the one text decoding of the csv and api
    readers and of the encoder. (Arrow parses booleans case-insensitively, so `TRUE` needs no lower-casing.)"""
    import pyarrow.compute as pc

    target = text_arrow_type(t)
    return values if is_text(target) else pc.cast(values, target)
