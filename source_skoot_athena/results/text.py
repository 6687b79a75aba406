"""Text results (CSV file, GetQueryResults) -> typed Arrow columns, by one set of rules for both paths.

Both paths deliver each value as Athena's text rendering (or NULL). Columns are read as strings first and
cast by `types.cast_text`, so the CSV and API paths (and the encoder, for text it is handed) cannot disagree
on a value.
"""

from __future__ import annotations

import pyarrow as pa

from source_skoot_athena.types import AthenaType, cast_text


def parse_text_batch(names: list[str], columns: list[pa.Array], types: list[AthenaType]) -> pa.RecordBatch:
    """Typed record batch from string columns."""
    arrays = [cast_text(column, athena_type) for column, athena_type in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=names)
