"""The JSON text of every value of an Arrow column, as a string array without nulls: the fragmenter for each
Arrow type (table-driven, as with PyAthena's converters), with nested lists, maps and structs built from
their children's fragments.

Strings that hold JSON text (json columns, and nested columns that arrived as text rendered by Athena's
`json_format`) are embedded as JSON, not as strings; other text the csv/api readers left untyped is cast
first by the same rule the readers use (`types.cast_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from source_skoot_athena.encoding import scalars
from source_skoot_athena.encoding.context import ValueContext
from source_skoot_athena.encoding.strings import NULL, json_text, or_null, quote_strings
from source_skoot_athena.types import cast_text, holds_json_text, is_text

Fragmenter = Callable[[pa.Array, ValueContext], pa.Array]


def value_fragments(array: pa.Array | pa.ChunkedArray, column: ValueContext) -> pa.Array:
    """The JSON text of every value of `array`, as a string array without nulls."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = _normalise_input(array, column)
    if column.type is not None and holds_json_text(column.type, array.type):
        return _raw_json(array)
    return _fragmenter(array.type)(array, column)


def _normalise_input(array: pa.Array, column: ValueContext) -> pa.Array:
    """Decode dictionaries, and parse text that the api/csv reader left as strings for typed columns."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if column.type is not None and is_text(array.type):
        array = cast_text(array, column.type)
    return array


def _fragmenter(arrow_type: pa.DataType) -> Fragmenter:
    """The fragment builder for an Arrow type."""
    for predicate, fragmenter in _FRAGMENTERS:
        if predicate(arrow_type):
            return fragmenter
    return scalars.fallback_fragments


def _raw_json(array: pa.Array) -> pa.Array:
    """JSON text produced by Athena's json_format, embedded as is; an empty text (never valid JSON) is
    written as null."""
    array = pc.if_else(pc.equal(pc.binary_length(array), 0), pa.scalar(None, pa.string()), array)
    return or_null(array)


# ---------------------------------------------------------------------------------------------------------
# Nested values: the children's fragments, regrouped by the parent's offsets


def _list_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`[e1,e2]`: the elements' fragments regrouped by the list offsets and joined with commas."""
    if pa.types.is_fixed_size_list(array.type) or pa.types.is_list_view(array.type):
        array = pc.cast(array, pa.large_list(array.type.value_type))
    elements = value_fragments(_list_values(array), column.child(0))
    joined = pc.binary_join(_regroup(array, elements), ",")
    return _wrap_valid(array, pc.binary_join_element_wise("[", joined, "]", ""))


def _map_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`{"k":v}`: keys as JSON strings (non-string keys by their JSON text), values by the usual rules."""
    start, end = array.offsets[0].as_py(), array.offsets[-1].as_py()
    keys = array.keys.slice(start, end - start)
    keys_text = _as_json_string(value_fragments(keys, column.child(0)))
    items = value_fragments(array.items.slice(start, end - start), column.child(1))
    entries = pc.binary_join_element_wise(keys_text, items, ":")
    joined = pc.binary_join(_regroup(array, entries), ",")
    return _wrap_valid(array, pc.binary_join_element_wise("{", joined, "}", ""))


def _as_json_string(fragments: pa.Array) -> pa.Array:
    """Object keys must be strings: fragments that are not JSON strings already (numbers, booleans,
    nested values) become the JSON string of their text."""
    is_string = pc.starts_with(fragments, '"')
    if pc.all(is_string).as_py():
        return fragments
    return pc.if_else(is_string, fragments, quote_strings(fragments))


def _struct_fragments(array: pa.Array, column: ValueContext) -> pa.Array:
    """`{"a":..,"b":..}` with the field names JSON-escaped, like the record itself."""
    fields = array.flatten()
    if not fields:
        return _wrap_valid(array, pa.array(["{}"] * len(array), pa.string()))
    parts: list[pa.Array | str] = []
    for index, values in enumerate(fields):
        key = json_text(array.type.field(index).name) + ":"
        parts.append(("{" if index == 0 else ",") + key)
        parts.append(value_fragments(values, column.child(index)))
    parts.append("}")
    return _wrap_valid(array, pc.binary_join_element_wise(*parts, ""))


def _list_values(array: pa.Array) -> pa.Array:
    """The child values a (possibly sliced) list array's offsets point into."""
    start, end = array.offsets[0].as_py(), array.offsets[-1].as_py()
    return array.values.slice(start, end - start)


def _regroup(array: pa.Array, fragments: pa.Array) -> pa.Array:
    """A list array of `fragments` with the same shape as `array` (offsets rebased to zero)."""
    offsets = array.offsets
    rebased = pc.subtract(offsets, offsets[0])
    if pa.types.is_large_list(array.type):
        return pa.LargeListArray.from_arrays(rebased, fragments)
    return pa.ListArray.from_arrays(rebased, fragments)


def _wrap_valid(array: pa.Array, fragments: pa.Array) -> pa.Array:
    """`null` where the container itself is null."""
    if array.null_count == 0:
        return fragments
    return pc.if_else(array.is_valid(), fragments, NULL)


_FRAGMENTERS: Final[tuple[tuple[Callable[[pa.DataType], bool], Fragmenter], ...]] = (
    (pa.types.is_null, scalars.null_fragments),
    (pa.types.is_boolean, scalars.plain_fragments),
    (pa.types.is_integer, scalars.plain_fragments),
    (pa.types.is_floating, scalars.float_fragments),
    (pa.types.is_decimal, scalars.decimal_fragments),
    (pa.types.is_date, scalars.date_fragments),
    (pa.types.is_timestamp, scalars.timestamp_fragments),
    (pa.types.is_time, scalars.time_fragments),
    (is_text, scalars.string_fragments),
    (pa.types.is_binary, scalars.binary_fragments),
    (pa.types.is_large_binary, scalars.binary_fragments),
    (pa.types.is_fixed_size_binary, scalars.binary_fragments),
    (pa.types.is_map, _map_fragments),
    (pa.types.is_list, _list_fragments),
    (pa.types.is_large_list, _list_fragments),
    (pa.types.is_fixed_size_list, _list_fragments),
    (pa.types.is_struct, _struct_fragments),
)
