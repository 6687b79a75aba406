"""The parsed type tree: `Kind`, `AthenaType`, the kind families, and the read paths a value can arrive by.

Glue (Hive syntax) and Athena/Trino type strings both parse (parser.py) into this one model, so the JSON
schema (schema.py) and the read-path rules (read_paths.py) are written once per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from source_skoot_athena.quoting import quote_identifier


class Kind(StrEnum):
    """The type families the connector tells apart."""

    BOOLEAN = "boolean"
    TINYINT = "tinyint"
    SMALLINT = "smallint"
    INTEGER = "integer"
    BIGINT = "bigint"
    REAL = "real"
    DOUBLE = "double"
    DECIMAL = "decimal"
    CHAR = "char"
    VARCHAR = "varchar"
    DATE = "date"
    TIMESTAMP = "timestamp"
    TIMESTAMP_TZ = "timestamp with time zone"
    TIME = "time"
    TIME_TZ = "time with time zone"
    VARBINARY = "varbinary"
    JSON = "json"
    ARRAY = "array"
    MAP = "map"
    ROW = "row"
    UNKNOWN = "unknown"


INTEGER_KINDS: Final = frozenset({Kind.TINYINT, Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT})
FLOAT_KINDS: Final = frozenset({Kind.REAL, Kind.DOUBLE})
STRING_KINDS: Final = frozenset({Kind.CHAR, Kind.VARCHAR})
COMPLEX_KINDS: Final = frozenset({Kind.ARRAY, Kind.MAP, Kind.ROW})
TIMESTAMP_KINDS: Final = frozenset({Kind.TIMESTAMP, Kind.TIMESTAMP_TZ})
ZONED_KINDS: Final = frozenset({Kind.TIMESTAMP_TZ, Kind.TIME_TZ})
ORDERABLE_KINDS: Final = INTEGER_KINDS | FLOAT_KINDS | STRING_KINDS | {Kind.DECIMAL, Kind.DATE, Kind.TIMESTAMP}


class ReadPath(StrEnum):
    """How a finished query's rows are fetched: UNLOAD Parquet files, the result CSV, or GetQueryResults pages."""

    PARQUET = "parquet"
    CSV = "csv"
    API = "api"


PARQUET: Final = ReadPath.PARQUET
CSV: Final = ReadPath.CSV
API: Final = ReadPath.API
PATHS: Final = tuple(ReadPath)

DEFAULT_DECIMAL: Final = (10, 0)  # Hive's `decimal` without parameters


@dataclass(frozen=True)
class AthenaType:
    """One node of a parsed type.

    `precision`/`scale` for decimal, `precision` (fractional digits) for timestamp/time, `length` for
    char/varchar; `children` are the element (array), key and value (map) or field types (row, with
    `field_names`). `raw` is the text it was parsed from (the whole text for an unknown type); it does not
    take part in equality, so `INT` and `integer` compare equal.
    """

    kind: Kind
    precision: int | None = None
    scale: int | None = None
    length: int | None = None
    children: tuple[AthenaType, ...] = ()
    field_names: tuple[str, ...] = ()
    raw: str = field(default="", compare=False)

    def athena_sql_name(self) -> str:
        """The type in Trino syntax, e.g. for `CAST(x AS <this>)`; an unknown type renders its raw text."""
        return _SQL_RENDERERS.get(self.kind, _render_plain)(self)


def unknown(raw: str) -> AthenaType:
    """The type of anything the parser does not understand: carried as text, never an error."""
    return AthenaType(Kind.UNKNOWN, raw=raw)


def decimal_params(t: AthenaType) -> tuple[int, int]:
    """A decimal's (precision, scale), Hive's defaults filled in."""
    return (
        t.precision if t.precision is not None else DEFAULT_DECIMAL[0],
        t.scale if t.scale is not None else DEFAULT_DECIMAL[1],
    )


def contains_unknown(t: AthenaType) -> bool:
    """Whether an unknown type appears anywhere in the tree (worth one warning per column)."""
    return t.kind == Kind.UNKNOWN or any(contains_unknown(child) for child in t.children)


def is_orderable(t: AthenaType) -> bool:
    """Whether a column of this type can be an incremental cursor (compared in SQL and in Arrow).

    Time-zoned timestamps are excluded: on the text paths they arrive as ISO strings with mixed offsets,
    which do not compare as text.
    """
    return t.kind in ORDERABLE_KINDS


def with_timestamp_precision(t: AthenaType, precision: int) -> AthenaType:
    """The same type with `precision` on every timestamp that declares none (e.g. 6 for an Iceberg table,
    whose Glue type says only `timestamp`), so its values print a fixed number of fraction digits."""
    children = tuple(with_timestamp_precision(child, precision) for child in t.children)
    if t.kind in TIMESTAMP_KINDS and t.precision is None:
        return replace(t, precision=precision, children=children)
    return replace(t, children=children) if children != t.children else t


# ---------------------------------------------------------------------------------------------------------
# Rendering back to Trino syntax


def _render_plain(t: AthenaType) -> str:
    return t.kind.value


def _render_decimal(t: AthenaType) -> str:
    precision, scale = decimal_params(t)
    return f"decimal({precision},{scale})"


def _render_length(t: AthenaType) -> str:
    return t.kind.value if t.length is None else f"{t.kind.value}({t.length})"


def _render_temporal(t: AthenaType) -> str:
    base = "timestamp" if t.kind in TIMESTAMP_KINDS else "time"
    if t.precision is not None:
        base = f"{base}({t.precision})"
    return base + (" with time zone" if t.kind in ZONED_KINDS else "")


def _render_array(t: AthenaType) -> str:
    return f"array({t.children[0].athena_sql_name()})"


def _render_map(t: AthenaType) -> str:
    return f"map({t.children[0].athena_sql_name()}, {t.children[1].athena_sql_name()})"


def _render_row(t: AthenaType) -> str:
    fields = ", ".join(
        f"{quote_identifier(name)} {child.athena_sql_name()}"
        for name, child in zip(t.field_names, t.children, strict=True)
    )
    return f"row({fields})"


def _render_unknown(t: AthenaType) -> str:
    return t.raw


_SQL_RENDERERS = {
    Kind.DECIMAL: _render_decimal,
    Kind.CHAR: _render_length,
    Kind.VARCHAR: _render_length,
    Kind.TIMESTAMP: _render_temporal,
    Kind.TIMESTAMP_TZ: _render_temporal,
    Kind.TIME: _render_temporal,
    Kind.TIME_TZ: _render_temporal,
    Kind.ARRAY: _render_array,
    Kind.MAP: _render_map,
    Kind.ROW: _render_row,
    Kind.UNKNOWN: _render_unknown,
}
