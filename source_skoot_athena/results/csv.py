"""Result CSV: `<QueryExecutionId>.csv` streamed from S3 through pyarrow.csv, NULL and "" kept apart.

Athena writes NULL as an unquoted empty field and "" as a quoted one: `strings_can_be_null` with
`quoted_strings_can_be_null=False` keeps them apart. Every column is read as text and typed by results/text.py.
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

BLOCK_BYTES = 8 << 20


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


def csv_batches(body: Any, names: list[str], types: list[AthenaType]) -> Iterator[pa.RecordBatch]:
    """Typed batches from the bytes of an Athena result CSV (a file-like object; its header row is skipped)."""
    reader = pacsv.open_csv(
        body,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
        ),
    )
    for batch in reader:
        yield parse_text_batch(names, list(batch.columns), types)
