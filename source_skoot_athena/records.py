"""Arrow record batches -> Airbyte RECORD lines, one column at a time (the read hot path).

Each column becomes a string array of JSON value fragments built with pyarrow compute (`42`, `"a\\nb"`,
`null`, `[1,2]`); `binary_join_element_wise` then interleaves them with the constant key fragments of the
line, and the joined array's value buffer is the output. No per-row Python runs for scalar columns; only
binary values and strings that need JSON escaping go through Python, and only those cells.

Value rules (DESIGN §3), including the documented choices:
- NaN and ±Infinity are not JSON numbers: they are written as null and counted in `warnings[column]`.
- decimals are JSON number tokens in plain notation with all `scale` digits (`-0.0000000001`, `1.50`).
- timestamps print the fraction of their declared precision (timestamp(3) -> `.fff`, timestamp(6) ->
  `.ffffff`). Glue's bare `timestamp` is ms for Hive tables but us for Iceberg ones, so without a declared
  precision s/ms data prints its unit's digits and us/ns data the fewest of 3/6/9 digits that lose nothing
  in the batch (Hive data read as us or INT96 ns still prints `.fff`). Zoned timestamps are written in UTC
  with `Z`; those rendered by Athena (`to_iso8601`) keep Athena's text.
- strings that hold JSON text (json columns, and nested columns on the text paths, rendered by
  `json_format`) are embedded as JSON, not as strings.
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .types import (
    COMPLEX_KINDS,
    FLOAT_KINDS,
    INTEGER_KINDS,
    AthenaType,
    Kind,
    contains_unknown,
    text_arrow_type,
    timestamp_unit,
)

NULL: Final = "null"
_PLAIN_DECIMAL_MAX_SCALE: Final = 6
_NEEDS_ESCAPE: Final = r'["\\\x00-\x1f]'
_TEXT_CAST_KINDS: Final = INTEGER_KINDS | FLOAT_KINDS | {Kind.BOOLEAN, Kind.DECIMAL, Kind.DATE, Kind.TIMESTAMP}
_STRING_SCHEMA_KINDS: Final = frozenset(
    {Kind.CHAR, Kind.VARCHAR, Kind.UNKNOWN, Kind.TIME, Kind.TIME_TZ, Kind.TIMESTAMP_TZ, Kind.VARBINARY}
)
# Inputs above this many bytes are encoded in slices, so no output array nears the 2 GiB offset limit
# of Arrow's utf8 type (escaping can grow text up to 6x).
MAX_CHUNK_BYTES: Final = 128 * 1024 * 1024
# With WORKERS > 1, batches of at least PARALLEL_MIN_ROWS rows are split over that many threads (Arrow
# kernels release the GIL): 1.75x on an idle 2-core machine, but slower than one thread when the cores are
# busy (e.g. with the Parquet reader's own threads), so it is off by default.
PARALLEL_MIN_ROWS = 16_384
WORKERS = 1


def _json_text(value: str) -> str:
    """A Python string as JSON text (used for names and escaped cells)."""
    return orjson.dumps(value).decode()


class _Column:
    """Per-column state of one encode: its name, declared type and where to count nulled values."""

    def __init__(self, encoder: RecordEncoder, name: str, athena_type: AthenaType | None) -> None:
        self.encoder = encoder
        self.name = name
        self.type = athena_type

    def child(self, index: int) -> _Column:
        """The context of a nested element (array item, map key/value, struct field)."""
        children = self.type.children if self.type is not None else ()
        return _Column(self.encoder, self.name, children[index] if index < len(children) else None)

    def count_nulled(self, count: int) -> None:
        self.encoder.count_nulled(self.name, count)

    def warn_once(self, text: str) -> None:
        self.encoder.warn_once(text)


class RecordEncoder:
    """Encodes the batches of one stream's query into RECORD lines.

    `columns` are the batch's columns in order, with their Athena types; `path` is the read path the batch
    came from ("parquet", "csv" or "api"), which decides whether string columns of nested types hold JSON
    text. `warnings` counts, per column, values written as null because JSON cannot hold them;
    `warning_texts` lists one-time messages (unknown types, unexpected Arrow types).
    """

    def __init__(
        self,
        stream: str,
        namespace: str | None,
        columns: list[tuple[str, AthenaType]],
        path: str = "",
    ) -> None:
        self.stream = stream
        self.namespace = namespace
        self.columns = list(columns)
        self.path = path
        self.warnings: dict[str, int] = {}
        self.warning_texts: list[str] = []
        self._reported = 0
        self._lock = threading.Lock()
        self._head = self._line_head()
        self._keys = [("," if i else "") + _json_text(name) + ":" for i, (name, _) in enumerate(self.columns)]
        for name, athena_type in self.columns:
            if contains_unknown(athena_type):
                self.warn_once(
                    f"Column {name!r} of stream {stream!r} has a type the connector does not know "
                    f"({athena_type.raw or athena_type.athena_sql_name()}); its values are written as text."
                )

    def _line_head(self) -> str:
        head = '{"type":"RECORD","record":{"stream":' + _json_text(self.stream)
        if self.namespace is not None:
            head += ',"namespace":' + _json_text(self.namespace)
        return head + ',"data":{'

    def warn_once(self, text: str) -> None:
        """Record a warning text unless it was already recorded."""
        with self._lock:
            if text not in self.warning_texts:
                self.warning_texts.append(text)

    def count_nulled(self, column: str, count: int) -> None:
        """Count values of `column` written as null because JSON cannot hold them."""
        if count:
            with self._lock:
                self.warnings[column] = self.warnings.get(column, 0) + count

    def new_warning_texts(self) -> list[str]:
        """The warning texts added since the last call (for logging each once)."""
        fresh = self.warning_texts[self._reported :]
        self._reported = len(self.warning_texts)
        return fresh

    def encode(self, batch: pa.RecordBatch, emitted_at_ms: int) -> bytes:
        """One RECORD line (newline-terminated) per row of `batch`, as UTF-8 bytes."""
        if batch.num_columns != len(self.columns):
            raise ValueError(f"batch has {batch.num_columns} columns, the encoder {len(self.columns)}")
        tail = '},"emitted_at":' + str(int(emitted_at_ms)) + "}}\n"
        chunks = list(_chunks(batch, WORKERS if batch.num_rows >= PARALLEL_MIN_ROWS else 1))
        if len(chunks) == 1:
            return self._encode_chunk(chunks[0], tail)
        return b"".join(_executor().map(lambda chunk: self._encode_chunk(chunk, tail), chunks))

    def _encode_chunk(self, batch: pa.RecordBatch, tail: str) -> bytes:
        if batch.num_rows == 0:
            return b""
        if not self.columns:
            return (self._head + tail).encode() * batch.num_rows
        parts: list[pa.Array | str] = []
        for index, (name, athena_type) in enumerate(self.columns):
            context = _Column(self, name, athena_type)
            parts.append(self._head + self._keys[0] if index == 0 else self._keys[index])
            parts.append(value_fragments(batch.column(index), context))
        parts.append(tail)
        return _buffer_bytes(pc.binary_join_element_wise(*parts, ""))


@functools.cache
def _executor() -> ThreadPoolExecutor:
    """One small pool for all encoders of the process."""
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="records")


def _chunks(batch: pa.RecordBatch, parallel: int) -> Iterator[pa.RecordBatch]:
    """At least `parallel` slices, each small enough that no joined output overflows utf8 offsets."""
    pieces = max(parallel, -(-batch.nbytes // MAX_CHUNK_BYTES))
    step = max(1, -(-batch.num_rows // pieces))
    for start in range(0, batch.num_rows, step):
        yield batch.slice(start, step)


def _value_range(array: pa.Array) -> tuple[pa.Buffer | None, int, int]:
    """A string array's data buffer and the byte range its values occupy (offsets[first] to offsets[last])."""
    _, offsets, data = array.buffers()
    if offsets is None:
        return data, 0, 0
    width = 8 if pa.types.is_large_string(array.type) else 4

    def offset_at(index: int) -> int:
        return int.from_bytes(offsets[index * width : (index + 1) * width].to_pybytes(), "little", signed=True)

    return data, offset_at(array.offset), offset_at(array.offset + len(array))


def _buffer_bytes(joined: pa.Array) -> bytes:
    """The concatenated values of a string array: its data buffer between the first and last offset."""
    data, start, end = _value_range(joined)
    return b"" if data is None else data[start:end].to_pybytes()


# ---------------------------------------------------------------------------------------------------------
# Value fragments: one string per row, never null (a null value is the fragment `null`)

Fragmenter = Callable[[pa.Array, _Column], pa.Array]


def value_fragments(array: pa.Array | pa.ChunkedArray, column: _Column) -> pa.Array:
    """The JSON text of every value of `array`, as a string array without nulls."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = _normalise_input(array, column)
    if column.type is not None and column.type.kind == Kind.JSON and _is_text(array.type):
        return _raw_json(array)
    if column.type is not None and column.type.kind in COMPLEX_KINDS and _is_text(array.type):
        return _raw_json(array)
    return _fragmenter(array.type)(array, column)


def _normalise_input(array: pa.Array, column: _Column) -> pa.Array:
    """Decode dictionaries, and parse text that the api/csv reader left as strings for typed columns."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if column.type is not None and column.type.kind in _TEXT_CAST_KINDS and _is_text(array.type):
        array = pc.cast(array, text_arrow_type(column.type))
    return array


def _is_text(arrow_type: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def _fragmenter(arrow_type: pa.DataType) -> Fragmenter:
    """The fragment builder for an Arrow type (table-driven, as with PyAthena's converters)."""
    for predicate, fragmenter in _FRAGMENTERS:
        if predicate(arrow_type):
            return fragmenter
    return _fallback_fragments


def _or_null(fragments: pa.Array) -> pa.Array:
    return pc.fill_null(fragments, NULL)


def _null_fragments(array: pa.Array, column: _Column) -> pa.Array:
    return pa.nulls(len(array), pa.string()).fill_null(NULL)


def _plain_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """Booleans and integers: Arrow's text is already JSON (`true`, `-9223372036854775808`)."""
    if column.type is not None and column.type.kind in _STRING_SCHEMA_KINDS:
        return quote_strings(pc.cast(array, pa.string()))
    return _or_null(pc.cast(array, pa.string()))


def _float_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """Shortest round-trip text (`0.1`, `1e+20`, `1`); `-0.0` keeps its sign (`-0` would parse as the
    integer 0); NaN/±Infinity become null and are counted."""
    if pa.types.is_float16(array.type):
        array = pc.cast(array, pa.float32())
    text = pc.cast(array, pa.string())
    text = pc.if_else(pc.equal(text, "-0"), "-0.0", text)
    non_finite = pc.invert(pc.is_finite(array))
    nulled = pc.sum(non_finite).as_py() or 0
    if nulled:
        column.count_nulled(nulled)
        text = pc.if_else(non_finite, pa.scalar(None, pa.string()), text)
    return _or_null(text)


def _decimal_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """Plain-notation digits with all `scale` fraction digits (`1.50`, `-0.0000000001`).

    Arrow's decimal text is already that unless a value's adjusted exponent is below -6 (`1E-10`, `0E-10`),
    which needs a scale above 6; only then is the text rebuilt from the unscaled integer.
    """
    text = pc.cast(array, pa.string())
    if array.type.scale <= _PLAIN_DECIMAL_MAX_SCALE or not pc.any(pc.match_substring(text, "E")).as_py():
        return _or_null(text)
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
    return _or_null(pc.binary_join_element_wise(sign, whole, ".", fraction, ""))


def _date_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """`"YYYY-MM-DD"`."""
    return quote_strings(pc.cast(array, pa.string()), escape=False)


def _time_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """`"HH:MM:SS[.fff]"`, fraction digits from the Arrow unit."""
    return quote_strings(pc.cast(array, pa.string()), escape=False)


def _timestamp_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """`"YYYY-MM-DDTHH:MM:SS.fff"` (fraction per precision); zoned values in UTC with `Z`."""
    array = _to_unit(array, _target_unit(array, column))
    arrow_type = array.type
    if arrow_type.tz is not None:
        array = array.cast(pa.timestamp(arrow_type.unit, "UTC"))
    text = pc.replace_substring(pc.cast(array, pa.string()), " ", "T", max_replacements=1)
    return quote_strings(text, escape=False)


def _target_unit(array: pa.Array, column: _Column) -> str:
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


def _string_fragments(array: pa.Array, column: _Column) -> pa.Array:
    return quote_strings(array)


def _binary_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """Standard base64 in quotes; per cell (no Arrow kernel encodes base64), but only for this column."""
    encoded = [None if value is None else base64.b64encode(value).decode() for value in array.to_pylist()]
    return quote_strings(pa.array(encoded, pa.string()), escape=False)


def _list_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """`[e1,e2]`: the elements' fragments regrouped by the list offsets and joined with commas."""
    if pa.types.is_fixed_size_list(array.type) or pa.types.is_list_view(array.type):
        array = pc.cast(array, pa.large_list(array.type.value_type))
    elements = value_fragments(_list_values(array), column.child(0))
    joined = pc.binary_join(_regroup(array, elements), ",")
    return _wrap_valid(array, pc.binary_join_element_wise("[", joined, "]", ""))


def _map_fragments(array: pa.Array, column: _Column) -> pa.Array:
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


def _struct_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """`{"a":..,"b":..}` with the field names JSON-escaped, like the record itself."""
    fields = array.flatten()
    if not fields:
        return _wrap_valid(array, pa.array(["{}"] * len(array), pa.string()))
    parts: list[pa.Array | str] = []
    for index, values in enumerate(fields):
        key = _json_text(array.type.field(index).name) + ":"
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


def _fallback_fragments(array: pa.Array, column: _Column) -> pa.Array:
    """Arrow types outside the value rules (durations, intervals, ...) are written as their text."""
    column.warn_once(f"Column {column.name!r}: Arrow type {array.type} is written as text.")
    try:
        text = pc.cast(array, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        text = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    return quote_strings(text)


def _raw_json(array: pa.Array) -> pa.Array:
    """JSON text produced by Athena's json_format, embedded as is; an empty text (never valid JSON) is
    written as null."""
    array = pc.if_else(pc.equal(pc.binary_length(array), 0), pa.scalar(None, pa.string()), array)
    return _or_null(array)


def _any_needs_escape(array: pa.Array) -> bool:
    """Whether any value needs escaping: one regex scan over the column's bytes (most columns need none).

    The pattern is a single character class, so it matches the concatenated values exactly when it matches
    one of them; this replaces one regex call per value by one per column in the common case.
    """
    if not _is_text(array.type) or len(array) == 0:
        return True
    data, first, last = _value_range(array)
    if data is None or last <= first:
        return False
    whole = pa.Array.from_buffers(
        pa.binary(),
        1,
        [
            None,
            pa.py_buffer((0).to_bytes(4, "little") + (last - first).to_bytes(4, "little")),
            data.slice(first, last - first),
        ],
    )
    return bool(pc.match_substring_regex(whole, _NEEDS_ESCAPE)[0].as_py())


def quote_strings(array: pa.Array, escape: bool = True) -> pa.Array:
    """JSON string fragments: `"text"`, escaped where needed, `null` for null.

    Only the rows containing a quote, backslash or control character are escaped (with orjson, per
    cell); all other rows are wrapped in quotes by one kernel.
    """
    quoted = pc.binary_join_element_wise('"', array, '"', "")
    if escape and _any_needs_escape(array):
        needs = pc.fill_null(pc.match_substring_regex(array, _NEEDS_ESCAPE), False)
        if pc.any(needs).as_py():
            escaped = [_json_text(value) for value in array.filter(needs).to_pylist()]
            quoted = pc.replace_with_mask(quoted, needs, pa.array(escaped, pa.string()))
    return _or_null(quoted)


_FRAGMENTERS: Final[tuple[tuple[Callable[[pa.DataType], bool], Fragmenter], ...]] = (
    (pa.types.is_null, _null_fragments),
    (pa.types.is_boolean, _plain_fragments),
    (pa.types.is_integer, _plain_fragments),
    (pa.types.is_floating, _float_fragments),
    (pa.types.is_decimal, _decimal_fragments),
    (pa.types.is_date, _date_fragments),
    (pa.types.is_timestamp, _timestamp_fragments),
    (pa.types.is_time, _time_fragments),
    (_is_text, _string_fragments),
    (pa.types.is_binary, _binary_fragments),
    (pa.types.is_large_binary, _binary_fragments),
    (pa.types.is_fixed_size_binary, _binary_fragments),
    (pa.types.is_map, _map_fragments),
    (pa.types.is_list, _list_fragments),
    (pa.types.is_large_list, _list_fragments),
    (pa.types.is_fixed_size_list, _list_fragments),
    (pa.types.is_struct, _struct_fragments),
)


__all__ = ["RecordEncoder", "quote_strings", "value_fragments"]
