"""ORC tables as Glue holds them and Athena reads them: by column index unless the SerDe says by name.

Why: Glue marks an ORC table by its SerDe and formats (`OrcSerde`, `OrcInputFormat`, `OrcOutputFormat`, Hive's
`org.apache.hadoop.hive.ql.io.orc` package; https://docs.aws.amazon.com/athena/latest/ug/orc-serde.html), and
Athena maps an ORC file's columns to the table's **by index** (ordinal) by default, by name only with the SerDe
property `orc.column.index.access=false` ("Parquet will access columns by name and ORC by index",
https://docs.aws.amazon.com/athena/latest/ug/handling-schema-updates-chapter.html). Hive's own ORC writer names
the columns `_col0`, `_col1`… so a by-name read of such a file would be all NULL. DuckDB has no ORC reader:
each file is read with pyarrow.orc and handed to DuckDB as a Parquet copy (columns renamed by position for an
index read, so that files of one table line up however their writers named the columns).

Bytes scanned (scanned_bytes.py models it for Parquet): Athena reads only the streams of the columns a query
uses, plus each stripe's footer and the file's tail; the stream lengths come from the ORC footers
(https://orc.apache.org/specification/ORCv1/ "File Tail", "Stripes").
"""

from __future__ import annotations

import io
import os
import threading
import zlib
from collections.abc import Iterator, Mapping

import pyarrow as pa
import pyarrow.orc as po
import pyarrow.parquet as pq

# Glue's descriptor of an ORC table (Athena DDL `STORED AS ORC`, a Glue crawler's classification `orc`).
GLUE_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "Parameters": {"serialization.format": "1"},
    },
}
INDEX_ACCESS = "orc.column.index.access"
_POSITION = "_pos{}"  # the copy's column names for an index read
_lock = threading.Lock()


def encode(table: pa.Table) -> bytes:
    """An ORC file of ``table`` compressed with ZLIB, the default of Hive's writer and of Athena's CTAS
    (`orc_compression`, https://docs.aws.amazon.com/athena/latest/ug/compression-formats.html)."""
    buf = io.BytesIO()
    po.write_table(table, buf, compression="zlib")
    return buf.getvalue()


def reads_by_index(serde_parameters: Mapping[str, str]) -> bool:
    """Athena's default for ORC is by index; only `orc.column.index.access=false` makes it by name."""
    return str(serde_parameters.get(INDEX_ACCESS, "true")).strip().lower() != "false"


def position_name(index: int) -> str:
    """The column name an index read gives the file's ``index``-th top-level column in its Parquet copy."""
    return _POSITION.format(index)


def parquet_copy(path: str, by_index: bool) -> str:
    """A Parquet file beside the local ORC copy ``path`` (its name holds the object's ETag, so one copy per
    version) with the same rows; by index, its columns are named by position."""
    target = f"{path}.{'index' if by_index else 'name'}.parquet"
    with _lock:
        if not os.path.exists(target):
            table = po.ORCFile(path).read()
            if by_index:
                table = table.rename_columns([position_name(i) for i in range(table.num_columns)])
            tmp = target + ".tmp"
            pq.write_table(table, tmp)
            os.replace(tmp, target)
    return target


def file_columns(path: str) -> list[str]:
    """The top-level column names the ORC file holds, in order."""
    return list(po.ORCFile(path).schema.names)


def scanned_bytes(path: str, columns: list[int] | None) -> int:
    """Bytes Athena reads of the file for the top-level ``columns`` (positions; None: all of them)."""
    try:
        fixed, per_column = column_bytes(path)
    except _Unmodelled:
        return os.path.getsize(path)  # a codec not parsed here: bill the whole file (never less than Athena)
    wanted = range(len(per_column)) if columns is None else columns
    return fixed + sum(per_column[i] for i in wanted if i < len(per_column))


# --- the ORC file tail and stripe footers (protobuf), just enough to size each column's streams -----------
class _Unmodelled(Exception):
    """A compression codec this module does not decode."""


def column_bytes(path: str) -> tuple[int, list[int]]:
    """(bytes every read fetches: header, tail, stripe footers, root streams; bytes per top-level column)."""
    with open(path, "rb") as fh:
        data = fh.read()
    ps_len = data[-1]
    postscript = dict(_scalars(data[-1 - ps_len : -1]))
    footer_len, codec, metadata_len = postscript.get(1, 0), postscript.get(2, 0), postscript.get(5, 0)
    footer = _decompress(data[-1 - ps_len - footer_len : -1 - ps_len], codec)
    stripes = [dict(_scalars(m)) for n, m in _messages(footer) if n == 3]
    types = [_subtypes(m) for n, m in _messages(footer) if n == 4]
    owner = _top_level_owner(types)
    per_column = [0] * len(types[0]) if types else []
    fixed = 3 + 1 + ps_len + footer_len + metadata_len  # "ORC" header, postscript length byte, tail
    for stripe in stripes:
        start = stripe.get(1, 0) + stripe.get(2, 0) + stripe.get(3, 0)
        stripe_footer = _decompress(data[start : start + stripe.get(4, 0)], codec)
        fixed += stripe.get(4, 0)
        for n, stream in _messages(stripe_footer):
            if n == 1:
                fields = dict(_scalars(stream))
                column = owner.get(fields.get(2, 0))
                if column is None:
                    fixed += fields.get(3, 0)
                else:
                    per_column[column] += fields.get(3, 0)
    return fixed, per_column


def _top_level_owner(types: list[list[int]]) -> dict[int, int]:
    """Column id -> the top-level column whose subtree holds it (ids are numbered in pre-order; id 0 is the
    root struct, which belongs to none)."""
    if not types:
        return {}
    starts = types[0]
    owner: dict[int, int] = {}
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(types)
        owner.update({column: position for column in range(start, end)})
    return owner


def _decompress(raw: bytes, codec: int) -> bytes:
    """ORC's compression chunks (3-byte header: length << 1 | original); codec 0 NONE, 1 ZLIB (raw deflate)."""
    if codec == 0:
        return raw
    if codec != 1:
        raise _Unmodelled(codec)
    out, pos = bytearray(), 0
    while pos < len(raw):
        header = raw[pos] | raw[pos + 1] << 8 | raw[pos + 2] << 16
        chunk = raw[pos + 3 : pos + 3 + (header >> 1)]
        out += chunk if header & 1 else zlib.decompress(chunk, -15)
        pos += 3 + (header >> 1)
    return bytes(out)


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if byte < 0x80:
            return value, pos


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of a protobuf message: varints as int, length-delimited as bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value
        elif wire == 2:
            length, pos = _varint(buf, pos)
            yield number, wire, buf[pos : pos + length]
            pos += length
        else:  # fixed64 / fixed32 (no field read here uses them)
            pos += 8 if wire == 1 else 4


def _scalars(buf: bytes) -> Iterator[tuple[int, int]]:
    for number, _, value in _fields(buf):
        if isinstance(value, int):
            yield number, value


def _messages(buf: bytes) -> Iterator[tuple[int, bytes]]:
    for number, _, value in _fields(buf):
        if isinstance(value, bytes):
            yield number, value


def _subtypes(type_message: bytes) -> list[int]:
    """A Type's `subtypes` (field 2, packed or not)."""
    out: list[int] = []
    for number, _, value in _fields(type_message):
        if number != 2:
            continue
        if isinstance(value, int):
            out.append(value)
            continue
        pos = 0
        while pos < len(value):
            item, pos = _varint(value, pos)
            out.append(item)
    return out
