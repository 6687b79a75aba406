"""JSON fragments of scalar Arrow columns: one string per row, never null (a null value is `null`).

Value rules, including the documented choices:
- NaN and ±Infinity are not JSON numbers: they are written as null and counted per column.
- decimals are JSON number tokens in plain notation with all `scale` digits (`-0.0000000001`, `1.50`).
- timestamps print the fraction of their declared precision (timestamp(3) -> `.fff`, timestamp(6) ->
  `.ffffff`). Glue's bare `timestamp` is ms for Hive tables but us for Iceberg ones, so without a declared
  precision s/ms data prints its unit's digits and us/ns data the fewest of 3/6/9 digits that lose nothing
  in the batch (Hive data read as us or INT96 ns still prints `.fff`). Zoned timestamps are written in UTC
  with `Z`; those rendered by Athena (`to_iso8601`) keep Athena's text.
"""

from __future__ import annotations

import base64
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from source_skoot_athena.encoding.context import ValueContext
from source_skoot_athena.encoding.strings import NULL, or_null, quote_strings
from source_skoot_athena.types import STRING_SCHEMA_KINDS, timestamp_unit

_PLAIN_DECIMAL_MAX_SCALE: Final = 6
# Seconds from the epoch to 0001-01-01T00:00:00 and to 9999-12-31T23:59:59, per unit: between them, Arrow's
# timestamp text is `YYYY-MM-DD HH:MM:SS...` with the space at index 10.
_FIRST_S, _LAST_S = -62_135_596_800, 253_402_300_799
_FOUR_DIGIT_YEARS: Final = {
    unit: (_FIRST_S * factor, _LAST_S * factor + factor - 1)
    for unit, factor in (("s", 1), ("ms", 1_000), ("us", 1_000_000), ("ns", 1_000_000_000))
}


def null_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    return pa.nulls(len(array), pa.string()).fill_null(NULL)


def plain_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """Booleans and integers: Arrow's text is already JSON (`true`, `-9223372036854775808`), unless the
    schema declares the column a string (then the text is quoted)."""
    if column.type is not None and column.type.kind in STRING_SCHEMA_KINDS:
        return quote_strings(pc.cast(array, pa.string()))
    return or_null(pc.cast(array, pa.string()))


def float_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """Shortest round-trip text (`0.1`, `1e+20`, `1`); `-0.0` keeps its sign (`-0` would parse as the
    integer 0); NaN/±Infinity become null and are counted."""
    if pa.types.is_float16(array.type):
        array = pc.cast(array, pa.float32())
    text = pc.cast(array, pa.string())
    if pc.any(pc.equal(array, 0)).as_py():  # a numeric test first: most batches hold no zero at all
        text = pc.if_else(pc.equal(text, "-0"), "-0.0", text)
    non_finite = pc.invert(pc.is_finite(array))
    nulled = pc.sum(non_finite).as_py() or 0
    if nulled:
        column.count_nulled(nulled)
        text = pc.if_else(non_finite, pa.scalar(None, pa.string()), text)
    return or_null(text)


def decimal_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """Plain-notation digits with all `scale` fraction digits (`1.50`, `-0.0000000001`).

    Arrow's decimal text is already that unless a value's adjusted exponent is below -6 (`1E-10`, `0E-10`),
    which needs a scale above 6; only then is the text rebuilt from the unscaled integer.
    """
    text = pc.cast(array, pa.string())
    if array.type.scale <= _PLAIN_DECIMAL_MAX_SCALE or not pc.any(pc.match_substring(text, "E")).as_py():
        return or_null(text)
    return _decimal_fixed_point(array)


def _decimal_fixed_point(array: pa.Array) -> pa.Array:
    """The unscaled integer's text with the point put back (the same bytes viewed as scale 0)."""
    scale = array.type.scale
    widest = pa.decimal256(76, 0) if pa.types.is_decimal256(array.type) else pa.decimal128(38, 0)
    unscaled = pa.Array.from_buffers(widest, len(array), array.buffers(), array.null_count, array.offset)
    text = pc.cast(unscaled, pa.string())
    negative = pc.starts_with(text, "-")
    digits = pc.utf8_lpad(pc.utf8_ltrim(text, "-"), scale + 1, "0")
    sign = pc.if_else(negative, "-", "")
    whole = pc.utf8_slice_codeunits(digits, 0, -scale)
    fraction = pc.utf8_slice_codeunits(digits, -scale)
    return or_null(pc.binary_join_element_wise(sign, whole, ".", fraction, ""))


def date_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`"YYYY-MM-DD"`."""
    return quote_strings(pc.cast(array, pa.string()), escape=False)


def time_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`"HH:MM:SS[.fff]"`, fraction digits from the Arrow unit."""
    return quote_strings(pc.cast(array, pa.string()), escape=False)


def timestamp_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`"YYYY-MM-DDTHH:MM:SS.fff"` (fraction per precision); zoned values in UTC with `Z`."""
    array = _to_unit(array, _target_unit(array, column))
    arrow_type = array.type
    if arrow_type.tz is not None:
        array = array.cast(pa.timestamp(arrow_type.unit, "UTC"))
    return quote_strings(_iso_text(array), escape=False)


def _iso_text(array: pa.Array) -> pa.Array:
    """Arrow's timestamp text with `T` for the space: a fixed-position replace when every year has 4 digits."""
    text = pc.cast(array, pa.string())
    low, high = _FOUR_DIGIT_YEARS[array.type.unit]
    bounds = pc.min_max(array.view(pa.int64()))
    if bounds["min"].as_py() is None or (low <= bounds["min"].as_py() and bounds["max"].as_py() <= high):
        return pc.binary_replace_slice(text, 10, 11, "T")
    return pc.replace_substring(text, " ", "T", max_replacements=1)


def _target_unit(array: pa.Array, column: ValueContext) -> str:
    """The declared precision's unit; without one, the coarsest of ms/us that loses nothing in the batch."""
    declared = timestamp_unit(column.type) if column.type is not None else None
    if declared is not None:
        return str(declared)
    unit = str(array.type.unit)
    if unit in ("s", "ms"):
        return unit
    for coarser in ("ms", "us")[: 1 if unit == "us" else 2]:
        try:
            pc.cast(array, pa.timestamp(coarser, array.type.tz), safe=True)
            return coarser
        except pa.ArrowInvalid:
            continue
    return unit


def _to_unit(array: pa.Array, unit: str) -> pa.Array:
    """Cast to another unit: truncating to a coarser one, widening when it does not overflow."""
    if unit == array.type.unit:
        return array
    try:
        return pc.cast(array, pa.timestamp(unit, array.type.tz), safe=False)
    except pa.ArrowInvalid:
        return array


def string_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    return quote_strings(array)


def binary_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """Standard base64 in quotes; per cell (no Arrow kernel encodes base64), but only for this column."""
    encoded = [None if value is None else base64.b64encode(value).decode() for value in array.to_pylist()]
    return quote_strings(pa.array(encoded, pa.string()), escape=False)


def fallback_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """Arrow types outside the value rules (durations, intervals, ...) are written as their text."""
    column.warn_once(f"Column {column.name!r}: Arrow type {array.type} is written as text.")
    try:
        text = pc.cast(array, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        text = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    return quote_strings(text)
