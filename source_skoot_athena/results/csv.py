"""Result CSV: `<QueryExecutionId>.csv` streamed from S3 in row-aligned blocks, NULL and "" kept apart.

Athena writes NULL as an unquoted empty field and "" as a quoted one: `strings_can_be_null` with
`quoted_strings_can_be_null=False` keeps them apart. Every column is read as text and typed by results/text.py.

Why blocks of our own rather than `pyarrow.csv.open_csv` over the body: its streaming reader reads up to 32
blocks ahead on a background thread, whatever the consumer does (`MakeBackgroundGenerator` with its default queue
of 32, apache/arrow cpp/src/arrow/csv/reader.cc, "Consider exposing readahead as a read option (ARROW-12090)");
measured through the CLI, a 150 MB result CSV peaked at 430 MB with 8 MiB blocks, and smaller blocks would fail
on any row longer than a block. Here the body is read `BLOCK_BYTES` at a time, cut at the last row end, and each
piece parsed on its own (serially, no read-ahead): memory holds about one block plus the longest row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from source_skoot_athena.aws import aws_call, raise_delete_errors
from source_skoot_athena.pipeline import RunAhead
from source_skoot_athena.results import CSV, split_s3_uri
from source_skoot_athena.results.text import parse_text_batch
from source_skoot_athena.types import AthenaType

BLOCK_BYTES = 1 << 20
QUOTE = ord('"')


class CsvResult:
    """The result CSV of one query (the query's output location is `<location>/<id>.csv`)."""

    path = CSV

    def __init__(self, s3: Any, output_location: str, names: list[str], types: list[AthenaType]) -> None:
        self._s3 = s3
        self._location = output_location
        self._names = names
        self._types = types

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Parsed and typed on a thread of their own, so that overlaps the encoding of the batches before."""
        yield from RunAhead(self._parsed_batches(), depth=2)

    def _parsed_batches(self) -> Iterator[pa.RecordBatch]:
        bucket, key = split_s3_uri(self._location)
        with aws_call("s3:GetObject", what=self._location):
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        with aws_call("s3:GetObject", what=self._location):
            yield from csv_batches(body, self._names, self._types)

    def cleanup(self) -> None:
        bucket, key = split_s3_uri(self._location)
        with aws_call("s3:DeleteObject", what=self._location):
            response = self._s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": key}, {"Key": key + ".metadata"}], "Quiet": True}
            )
        raise_delete_errors(response, bucket)


def last_row_end(data: bytes) -> int | None:
    """Offset just past the last row separator of `data` (which starts at a row start), or None if it has none.

    A newline ends a row unless it is inside a quoted value, i.e. unless an odd number of quotes precede it (a
    quote inside a value is written doubled, RFC 4180 section 2, as Athena writes its result CSV)."""
    quotes = data.count(QUOTE)
    newline = data.rfind(b"\n")
    while newline >= 0:
        if (quotes - data.count(QUOTE, newline)) % 2 == 0:
            return newline + 1
        newline = data.rfind(b"\n", 0, newline)
    return None


def row_blocks(body: Any, block_bytes: int) -> Iterator[bytes]:
    """The body's bytes in pieces of whole rows, reading `block_bytes` at a time; a row longer than a block is
    kept whole (the piece grows until the row ends)."""
    carry = b""
    while True:
        data = body.read(block_bytes)
        if not data:
            if carry:
                yield carry
            return
        data = carry + data if carry else data
        cut = last_row_end(data)
        if cut is None:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut]


def csv_batches(body: Any, names: list[str], types: list[AthenaType]) -> Iterator[pa.RecordBatch]:
    """Typed batches from the bytes of an Athena result CSV (a file-like object; its header row is skipped)."""
    parse_options = pacsv.ParseOptions(newlines_in_values=True)
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        null_values=[""],
    )
    header = 1
    for block in row_blocks(body, BLOCK_BYTES):
        read_options = pacsv.ReadOptions(
            column_names=names, skip_rows=header, block_size=len(block) + 1, use_threads=False
        )
        header = 0
        table = pacsv.read_csv(pa.py_buffer(block), read_options, parse_options, convert_options)
        for batch in table.to_batches():
            yield parse_text_batch(names, list(batch.columns), types)
