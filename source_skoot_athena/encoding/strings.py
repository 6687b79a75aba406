"""JSON string fragments from Arrow string columns: quoted by one kernel, escaped only where needed.

Most columns hold no quote, backslash or control character; one regex scan over the column's bytes finds
that out, and only the rows that need it are escaped (with orjson, per cell).
"""

from __future__ import annotations

from typing import Final

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from source_skoot_athena.encoding.buffers import value_range
from source_skoot_athena.types import is_text

NULL: Final = "null"
_NEEDS_ESCAPE: Final = r'["\\\x00-\x1f]'


def json_text(value: str) -> str:
    """A Python string as JSON text (used for names and escaped cells)."""
    return orjson.dumps(value).decode()


def or_null(fragments: pa.Array) -> pa.Array:
    """The fragment `null` where a fragment is missing."""
    return pc.fill_null(fragments, NULL)


def _any_needs_escape(array: pa.Array) -> bool:
    """Whether any value needs escaping: one regex scan over the column's bytes (most columns need none).

    The pattern is a single character class, so it matches the concatenated values exactly when it matches
    one of them; this replaces one regex call per value by one per column in the common case.
    """
    if not is_text(array.type) or len(array) == 0:
        return True
    data, first, last = value_range(array)
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
            escaped = [json_text(value) for value in array.filter(needs).to_pylist()]
            quoted = pc.replace_with_mask(quoted, needs, pa.array(escaped, pa.string()))
    return or_null(quoted)
