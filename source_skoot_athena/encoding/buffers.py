"""Arrow buffer arithmetic for the encoder: the bytes a string array's values occupy, and batch slices small
enough that no joined output nears the 2 GiB offset limit of Arrow's utf8 type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import pyarrow as pa

# Inputs above this many bytes are encoded in slices, so no output array nears the 2 GiB offset limit
# of Arrow's utf8 type (escaping can grow text up to 6x).
MAX_CHUNK_BYTES: Final = 128 * 1024 * 1024


def chunks(batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
    """Slices of `batch`, each small enough that no joined output overflows utf8 offsets."""
    pieces = max(1, -(-batch.nbytes // MAX_CHUNK_BYTES))
    step = max(1, -(-batch.num_rows // pieces))
    for start in range(0, batch.num_rows, step):
        yield batch.slice(start, step)


def value_range(array: pa.Array) -> tuple[pa.Buffer | None, int, int]:
    """A string array's data buffer and the byte range its values occupy (offsets[first] to offsets[last])."""
    _, offsets, data = array.buffers()
    if offsets is None:
        return data, 0, 0
    width = 8 if pa.types.is_large_string(array.type) else 4

    def offset_at(index: int) -> int:
        return int.from_bytes(offsets[index * width : (index + 1) * width].to_pybytes(), "little", signed=True)

    return data, offset_at(array.offset), offset_at(array.offset + len(array))


def buffer_bytes(joined: pa.Array) -> bytes:
    """The concatenated values of a string array: its data buffer between the first and last offset."""
    data, start, end = value_range(joined)
    return b"" if data is None else data[start:end].to_pybytes()
