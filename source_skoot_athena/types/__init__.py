"""Glue/Athena type strings -> one parsed type tree, used by discover (JSON schema) and read (values).

- model.py:      `Kind`, `AthenaType`, the kind families, `ReadPath`, rendering back to Trino syntax
- parser.py:     Hive and Trino type strings -> `AthenaType` (never raises: unknown types are text)
- schema.py:     the JSON schema of a column
- read_paths.py: per read path, the SELECT expression, whether a value is JSON text, the text -> Arrow cast

So the schema a destination sees and the values the read path writes come from one place. Nothing here
talks to AWS. The names below are re-exported so callers import from `source_skoot_athena.types`.
"""

from source_skoot_athena.types.model import (
    API,
    COMPLEX_KINDS,
    CSV,
    DEFAULT_DECIMAL,
    FLOAT_KINDS,
    INTEGER_KINDS,
    ORDERABLE_KINDS,
    PARQUET,
    PATHS,
    STRING_KINDS,
    TIMESTAMP_KINDS,
    ZONED_KINDS,
    AthenaType,
    Kind,
    ReadPath,
    contains_unknown,
    decimal_params,
    is_orderable,
    unknown,
    with_timestamp_precision,
)
from source_skoot_athena.types.parser import parse_type
from source_skoot_athena.types.read_paths import (
    JSON_TEXT_KINDS,
    MAX_DECIMAL128_PRECISION,
    arrives_as_json_text,
    arrives_as_text,
    cast_text,
    holds_json_text,
    is_text,
    select_expression,
    text_arrow_type,
    timestamp_unit,
    unloadable,
)
from source_skoot_athena.types.schema import STRING_SCHEMA_KINDS, json_schema

__all__ = [
    "API",
    "COMPLEX_KINDS",
    "CSV",
    "DEFAULT_DECIMAL",
    "FLOAT_KINDS",
    "INTEGER_KINDS",
    "JSON_TEXT_KINDS",
    "MAX_DECIMAL128_PRECISION",
    "ORDERABLE_KINDS",
    "PARQUET",
    "PATHS",
    "STRING_KINDS",
    "STRING_SCHEMA_KINDS",
    "TIMESTAMP_KINDS",
    "ZONED_KINDS",
    "AthenaType",
    "Kind",
    "ReadPath",
    "arrives_as_json_text",
    "arrives_as_text",
    "cast_text",
    "contains_unknown",
    "decimal_params",
    "holds_json_text",
    "is_orderable",
    "is_text",
    "json_schema",
    "parse_type",
    "select_expression",
    "text_arrow_type",
    "timestamp_unit",
    "unknown",
    "unloadable",
    "with_timestamp_precision",
]
