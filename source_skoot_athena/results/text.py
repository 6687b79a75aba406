"""Text results (CSV file, GetQueryResults) -> typed Arrow columns, by one set of rules for both paths.

Both paths deliver each value as Athena's text rendering (or NULL). Columns are read as strings first and
cast here, so the CSV and API paths cannot disagree on a value.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from source_skoot_athena.types import AthenaType, text_arrow_type


def parse_text_column(values: pa.Array, athena_type: AthenaType) -> pa.Array:
    """Cast one string column to the Arrow type its Athena type is decoded as."""
    target = text_arrow_type(athena_type)
    if pa.types.is_string(target) or pa.types.is_large_string(target):
        return values
    if pa.types.is_boolean(target):
        values = pc.utf8_lower(values)
    return pc.cast(values, target)


def parse_text_batch(names: list[str], columns: list[pa.Array], types: list[AthenaType]) -> pa.RecordBatch:
    """Typed record batch from string columns."""
    arrays = [parse_text_column(column, athena_type) for column, athena_type in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=names)
