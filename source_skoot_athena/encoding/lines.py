"""RECORD line framing: the constant head, key and tail fragments of a stream's lines, interleaved with the
columns' value fragments by one Arrow kernel; the joined array's value buffer is the output."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyarrow.compute as pc

from source_skoot_athena.encoding.buffers import buffer_bytes, chunks
from source_skoot_athena.encoding.context import ValueContext
from source_skoot_athena.encoding.strings import json_text
from source_skoot_athena.encoding.values import value_fragments
from source_skoot_athena.types import AthenaType, contains_unknown


class RecordEncoder:
    """Encodes the batches of one stream into RECORD lines, whichever read path they came from.

    `columns` are the batch's columns in order, with their Athena types. `nulled_counts` counts, per
    column, values written as null because JSON cannot hold them (NaN, ±Infinity); `warning_texts` lists
    one-time messages (unknown types, unexpected Arrow types). Both are guarded by a lock: batches are
    encoded on the read-ahead thread while the sync thread reports them.
    """

    def __init__(self, stream: str, namespace: str | None, columns: list[tuple[str, AthenaType]]) -> None:
        self.stream = stream
        self.namespace = namespace
        self.columns = list(columns)
        self.nulled_counts: dict[str, int] = {}
        self.warning_texts: list[str] = []
        self._reported = 0
        self._lock = threading.Lock()
        self._head = self._line_head()
        self._keys = [("," if i else "") + json_text(name) + ":" for i, (name, _) in enumerate(self.columns)]
        for name, athena_type in self.columns:
            if contains_unknown(athena_type):
                self.warn_once(
                    f"Column {name!r} of stream {stream!r} has a type the connector does not know "
                    f"({athena_type.raw or athena_type.athena_sql_name()}); its values are written as text."
                )

    def _line_head(self) -> str:
        head = '{"type":"RECORD","record":{"stream":' + json_text(self.stream)
        if self.namespace is not None:
            head += ',"namespace":' + json_text(self.namespace)
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
                self.nulled_counts[column] = self.nulled_counts.get(column, 0) + count

    def new_warning_texts(self) -> list[str]:
        """The warning texts added since the last call (for logging each once)."""
        with self._lock:
            fresh = self.warning_texts[self._reported :]
            self._reported = len(self.warning_texts)
        return fresh

    def encode(self, batch: pa.RecordBatch, emitted_at_ms: int) -> bytes:
        """One RECORD line (newline-terminated) per row of `batch`, as UTF-8 bytes."""
        if batch.num_columns != len(self.columns):
            raise ValueError(f"batch has {batch.num_columns} columns, the encoder {len(self.columns)}")
        tail = '},"emitted_at":' + str(int(emitted_at_ms)) + "}}\n"
        return b"".join(self._encode_chunk(chunk, tail) for chunk in chunks(batch))

    def _encode_chunk(self, batch: pa.RecordBatch, tail: str) -> bytes:
        if batch.num_rows == 0:
            return b""
        if not self.columns:
            return (self._head + tail).encode() * batch.num_rows
        parts: list[pa.Array | str] = []
        for index, (name, athena_type) in enumerate(self.columns):
            parts.append(self._head + self._keys[0] if index == 0 else self._keys[index])
            parts.append(value_fragments(batch.column(index), ValueContext(self, name, athena_type)))
        parts.append(tail)
        return buffer_bytes(pc.binary_join_element_wise(*parts, ""))
