"""Glue/Athena type strings -> one parsed type tree, used by discover (JSON schema) and read (values).

Glue stores Hive syntax (`array<struct<a:int>>`), Athena's result metadata and views use Trino syntax
(`array(row(a integer))`). Both parse into the same `AthenaType`, so the schema a destination sees and the
values the read path writes come from one place. Nothing here talks to AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

import pyarrow as pa


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
MAX_DECIMAL128_PRECISION: Final = 38


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


# ---------------------------------------------------------------------------------------------------------
# Rendering back to Trino syntax


def _render_plain(t: AthenaType) -> str:
    return t.kind.value


def _render_decimal(t: AthenaType) -> str:
    precision, scale = _decimal_params(t)
    return f"decimal({precision},{scale})"


def _render_length(t: AthenaType) -> str:
    return t.kind.value if t.length is None else f"{t.kind.value}({t.length})"


def _render_temporal(t: AthenaType) -> str:
    base = "timestamp" if t.kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_TZ) else "time"
    if t.precision is not None:
        base = f"{base}({t.precision})"
    return base + (" with time zone" if t.kind in (Kind.TIMESTAMP_TZ, Kind.TIME_TZ) else "")


def _render_array(t: AthenaType) -> str:
    return f"array({t.children[0].athena_sql_name()})"


def _render_map(t: AthenaType) -> str:
    return f"map({t.children[0].athena_sql_name()}, {t.children[1].athena_sql_name()})"


def _render_row(t: AthenaType) -> str:
    fields = ", ".join(
        '"' + name.replace('"', '""') + '" ' + child.athena_sql_name()
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


def _decimal_params(t: AthenaType) -> tuple[int, int]:
    return (
        t.precision if t.precision is not None else DEFAULT_DECIMAL[0],
        t.scale if t.scale is not None else 0,
    )


# ---------------------------------------------------------------------------------------------------------
# Parsing

_SIMPLE_NAMES: Final[dict[str, Kind]] = {
    "boolean": Kind.BOOLEAN,
    "bool": Kind.BOOLEAN,
    "tinyint": Kind.TINYINT,
    "byte": Kind.TINYINT,
    "smallint": Kind.SMALLINT,
    "short": Kind.SMALLINT,
    "int": Kind.INTEGER,
    "integer": Kind.INTEGER,
    "bigint": Kind.BIGINT,
    "long": Kind.BIGINT,
    "float": Kind.REAL,
    "real": Kind.REAL,
    "double": Kind.DOUBLE,
    "decimal": Kind.DECIMAL,
    "numeric": Kind.DECIMAL,
    "char": Kind.CHAR,
    "varchar": Kind.VARCHAR,
    "string": Kind.VARCHAR,
    "date": Kind.DATE,
    "timestamp": Kind.TIMESTAMP,
    "time": Kind.TIME,
    "binary": Kind.VARBINARY,
    "varbinary": Kind.VARBINARY,
    "json": Kind.JSON,
}
_PARAM_COUNTS: Final[dict[Kind, tuple[int, ...]]] = {
    Kind.DECIMAL: (0, 1, 2),
    Kind.CHAR: (0, 1),
    Kind.VARCHAR: (0, 1),
    Kind.TIMESTAMP: (0, 1),
    Kind.TIME: (0, 1),
}
_DELIMITERS: Final = frozenset(",<>():")
_OPENERS: Final = {"<": ">", "(": ")"}


class _ParseError(Exception):
    """Internal: the text is not a type this parser knows; turned into an unknown type at the top."""


class _Parser:
    """Recursive descent over the characters of one type string (case-insensitive, whitespace tolerant)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- scanning helpers ------------------------------------------------------------------------------
    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        """The next non-space character, or '' at the end."""
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _ParseError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def word(self) -> str:
        """An identifier-like word (letters, digits, underscore), lower-cased; '' when none."""
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start : self.pos].lower()

    def keyword(self, *words: str) -> bool:
        """Consume the given words if they come next (e.g. `with time zone`); otherwise consume nothing."""
        saved = self.pos
        for expected in words:
            if self.word() != expected:
                self.pos = saved
                return False
        return True

    def integer(self) -> int:
        word = self.word()
        if not word.isdigit():
            raise _ParseError(f"expected a number at {self.pos}")
        return int(word)

    def quoted(self, quote: str) -> str:
        """A quoted name; the quote character doubled inside stands for itself (Hive ``, Trino "")."""
        self.expect(quote)
        parts: list[str] = []
        while True:
            end = self.text.find(quote, self.pos)
            if end < 0:
                raise _ParseError("unterminated quoted name")
            parts.append(self.text[self.pos : end])
            self.pos = end + 1
            if self.text.startswith(quote, self.pos):
                parts.append(quote)
                self.pos += 1
            else:
                return "".join(parts)

    # -- grammar ---------------------------------------------------------------------------------------
    def parse_top(self) -> AthenaType:
        result = self.parse_type()
        if self.peek():
            raise _ParseError(f"unexpected text at {self.pos}")
        return result

    def parse_type(self) -> AthenaType:
        start = self.pos
        name = self.word()
        parsers = {
            "array": self.parse_array,
            "map": self.parse_map,
            "struct": self.parse_struct,
            "row": self.parse_row,
        }
        if name in parsers:
            return parsers[name](start)
        if name in _SIMPLE_NAMES:
            return self.parse_simple(_SIMPLE_NAMES[name], start)
        if not name:
            raise _ParseError(f"expected a type at {start}")
        return self.parse_unknown_leaf(start)

    def parse_params(self) -> tuple[int, ...]:
        if self.peek() != "(":
            return ()
        self.expect("(")
        params = [self.integer()]
        while self.peek() == ",":
            self.expect(",")
            params.append(self.integer())
        self.expect(")")
        return tuple(params)

    def parse_simple(self, kind: Kind, start: int) -> AthenaType:
        if kind == Kind.DOUBLE:
            self.keyword("precision")
        params = self.parse_params()
        if len(params) not in _PARAM_COUNTS.get(kind, (0,)):
            raise _ParseError(f"wrong parameters for {kind.value}")
        if kind in (Kind.TIMESTAMP, Kind.TIME):
            kind = self.parse_zone_suffix(kind)
        return self.build_simple(kind, params, self.text[start : self.pos].strip())

    def parse_zone_suffix(self, kind: Kind) -> Kind:
        if self.keyword("with", "time", "zone"):
            return Kind.TIMESTAMP_TZ if kind == Kind.TIMESTAMP else Kind.TIME_TZ
        self.keyword("without", "time", "zone")
        return kind

    @staticmethod
    def build_simple(kind: Kind, params: tuple[int, ...], raw: str) -> AthenaType:
        if kind == Kind.DECIMAL:
            precision = params[0] if params else DEFAULT_DECIMAL[0]
            scale = params[1] if len(params) > 1 else DEFAULT_DECIMAL[1]
            if precision <= 0 or not 0 <= scale <= precision:
                raise _ParseError(f"bad decimal({precision},{scale})")
            return AthenaType(kind, precision=precision, scale=scale, raw=raw)
        if kind in (Kind.CHAR, Kind.VARCHAR):
            return AthenaType(kind, length=params[0] if params else None, raw=raw)
        if kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_TZ, Kind.TIME, Kind.TIME_TZ):
            return AthenaType(kind, precision=params[0] if params else None, raw=raw)
        return AthenaType(kind, raw=raw)

    def open_bracket(self) -> str:
        """Consume `<` or `(` and return the matching closer (Hive and Trino spellings)."""
        opener = self.peek()
        if opener not in _OPENERS:
            raise _ParseError(f"expected '<' or '(' at {self.pos}")
        self.pos += 1
        return _OPENERS[opener]

    def parse_array(self, start: int) -> AthenaType:
        closer = self.open_bracket()
        element = self.parse_type()
        self.expect(closer)
        return AthenaType(Kind.ARRAY, children=(element,), raw=self.text[start : self.pos].strip())

    def parse_map(self, start: int) -> AthenaType:
        closer = self.open_bracket()
        key = self.parse_type()
        self.expect(",")
        value = self.parse_type()
        self.expect(closer)
        return AthenaType(Kind.MAP, children=(key, value), raw=self.text[start : self.pos].strip())

    def parse_struct(self, start: int) -> AthenaType:
        """Hive `struct<name:type, ...>`; names may be backtick- or double-quoted, or bare up to the colon."""
        closer = self.open_bracket()
        names: list[str] = []
        children: list[AthenaType] = []
        while self.peek() != closer:
            if names:
                self.expect(",")
            names.append(self.struct_field_name())
            self.expect(":")
            children.append(self.parse_type())
        self.expect(closer)
        return self.build_row(names, children, start)

    def struct_field_name(self) -> str:
        char = self.peek()
        if char in ("`", '"'):
            return self.quoted(char)
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ":,<>()":
            self.pos += 1
        name = self.text[start : self.pos].strip()
        if not name:
            raise _ParseError(f"expected a field name at {start}")
        return name

    def parse_row(self, start: int) -> AthenaType:
        """Trino `row(name type, ...)`; a field may also be a bare type (anonymous, named `field<i>`)."""
        closer = self.open_bracket()
        names: list[str] = []
        children: list[AthenaType] = []
        while self.peek() != closer:
            if names:
                self.expect(",")
            name, child = self.row_field(len(names))
            names.append(name)
            children.append(child)
        self.expect(closer)
        return self.build_row(names, children, start)

    def row_field(self, index: int) -> tuple[str, AthenaType]:
        """`name type` or just `type`: try the bare type first, backtrack to a named field."""
        char = self.peek()
        if char in ("`", '"'):
            return self.quoted(char), self.parse_type()
        saved = self.pos
        try:
            bare = self.parse_type()
            if self.peek() in (",", ")", ">") and bare.kind != Kind.UNKNOWN:
                return f"field{index}", bare
        except _ParseError:
            pass
        self.pos = saved
        name = self.word_with_original_case()
        if not name:
            raise _ParseError(f"expected a field at {saved}")
        return name, self.parse_type()

    def word_with_original_case(self) -> str:
        self.skip_space()
        start = self.pos
        self.word()
        return self.text[start : self.pos]

    def build_row(self, names: list[str], children: list[AthenaType], start: int) -> AthenaType:
        if not names:
            raise _ParseError("a struct/row needs at least one field")
        return AthenaType(
            Kind.ROW,
            children=tuple(children),
            field_names=tuple(names),
            raw=self.text[start : self.pos].strip(),
        )

    def parse_unknown_leaf(self, start: int) -> AthenaType:
        """An unrecognised type name: swallow it up to the next delimiter at this depth (brackets balanced),
        so `array<geometry>` is an array of unknown and `interval day to second` one unknown type."""
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "<(":
                depth += 1
            elif char in ">)":
                if depth == 0:
                    break
                depth -= 1
            elif char in ",:" and depth == 0:
                break
            self.pos += 1
        if depth:
            raise _ParseError("unbalanced brackets")
        return unknown(self.text[start : self.pos].strip())


def parse_type(text: str) -> AthenaType:
    """Parse a Glue/Hive or Athena/Trino type string; anything unparseable is an unknown type carrying the
    text (the connector reads it as a string with a warning rather than failing discover or read)."""
    try:
        return _Parser(text).parse_top()
    except (_ParseError, RecursionError):
        return unknown(text.strip())


def contains_unknown(t: AthenaType) -> bool:
    """Whether an unknown type appears anywhere in the tree (worth one warning per column)."""
    return t.kind == Kind.UNKNOWN or any(contains_unknown(child) for child in t.children)


# ---------------------------------------------------------------------------------------------------------
# JSON schema (DESIGN §3): every node nullable, since Athena values and nested elements can all be NULL

_STRING: Final = ["null", "string"]
_TEMPORAL_SCHEMAS: Final[dict[Kind, dict[str, Any]]] = {
    Kind.DATE: {"type": _STRING, "format": "date"},
    Kind.TIMESTAMP: {"type": _STRING, "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
    Kind.TIMESTAMP_TZ: {"type": _STRING, "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
    Kind.TIME: {"type": _STRING, "format": "time", "airbyte_type": "time_without_timezone"},
    Kind.TIME_TZ: {"type": _STRING, "format": "time", "airbyte_type": "time_with_timezone"},
}


def json_schema(t: AthenaType) -> dict[str, Any]:
    """The JSON schema of a column of this type (a fresh dict each call, safe to mutate).

    Decimals are plain `number`: the Airbyte type system has no decimal `airbyte_type` (the CDK's
    catalog checks know only the timestamp/time ones and `integer`); the values carry every digit.
    """
    if t.kind in _TEMPORAL_SCHEMAS:
        schema = dict(_TEMPORAL_SCHEMAS[t.kind])
        schema["type"] = list(_STRING)
        return schema
    if t.kind == Kind.BOOLEAN:
        return {"type": ["null", "boolean"]}
    if t.kind in INTEGER_KINDS:
        return {"type": ["null", "integer"]}
    if t.kind in FLOAT_KINDS or t.kind == Kind.DECIMAL:
        return {"type": ["null", "number"]}
    if t.kind == Kind.VARBINARY:
        return {"type": list(_STRING), "contentEncoding": "base64"}
    if t.kind == Kind.JSON:
        return {}
    if t.kind == Kind.ARRAY:
        return {"type": ["null", "array"], "items": json_schema(t.children[0])}
    if t.kind == Kind.MAP:
        return {"type": ["null", "object"], "additionalProperties": json_schema(t.children[1])}
    if t.kind == Kind.ROW:
        properties = {name: json_schema(child) for name, child in zip(t.field_names, t.children, strict=True)}
        return {"type": ["null", "object"], "properties": properties}
    return {"type": list(_STRING)}


def is_orderable(t: AthenaType) -> bool:
    """Whether a column of this type can be an incremental cursor (compared in SQL and in Arrow).

    Time-zoned timestamps are excluded: on the text paths they arrive as ISO strings with mixed offsets,
    which do not compare as text.
    """
    return t.kind in ORDERABLE_KINDS


# ---------------------------------------------------------------------------------------------------------
# Read paths: what to SELECT so the value arrives decodable, and the Arrow type its text parses to

_UNLOADABLE_LEAVES: Final = frozenset({Kind.TIME, Kind.TIME_TZ, Kind.TIMESTAMP_TZ, Kind.JSON, Kind.UNKNOWN})


def unloadable(t: AthenaType) -> bool:
    """Whether UNLOAD to Parquet can write this type as it is (no time, zoned or json values inside)."""
    return t.kind not in _UNLOADABLE_LEAVES and all(unloadable(child) for child in t.children)


def arrives_as_json_text(t: AthenaType, path: str) -> bool:
    """Whether the value arrives as a string holding JSON text (to embed raw, not as a JSON string)."""
    if t.kind == Kind.JSON:
        return True
    return t.kind in COMPLEX_KINDS and (path != PARQUET or not unloadable(t))


def select_expression(quoted_column: str, t: AthenaType, path: str) -> str:
    """The SELECT-list expression (without alias) that brings this column back decodable on `path`.

    Parquet keeps native types and renders only what UNLOAD cannot write; the text paths (csv, api) render
    nested values as JSON text, binary as base64 and zoned timestamps as ISO-8601, since Athena's own text
    for those is not parseable JSON/bytes.
    """
    if path not in PATHS:
        raise ValueError(f"unknown read path {path!r}; expected one of {PATHS}")
    x = quoted_column
    if t.kind == Kind.JSON:
        return f"json_format({x})"
    if arrives_as_json_text(t, path):
        return f"json_format(CAST({x} AS JSON))"
    if t.kind == Kind.TIMESTAMP_TZ:
        return f"to_iso8601({x})"
    if path == PARQUET:
        return f"CAST({x} AS varchar)" if t.kind in _UNLOADABLE_LEAVES else x
    if t.kind == Kind.VARBINARY:
        return f"to_base64({x})"
    return x


def timestamp_unit(t: AthenaType) -> str | None:
    """The Arrow unit holding a timestamp's declared fractional digits; None when none is declared."""
    if t.precision is None:
        return None
    if t.precision == 0:
        return "s"
    if t.precision <= 3:
        return "ms"
    return "us" if t.precision <= 6 else "ns"


def with_timestamp_precision(t: AthenaType, precision: int) -> AthenaType:
    """The same type with `precision` on every timestamp that declares none (e.g. 6 for an Iceberg table,
    whose Glue type says only `timestamp`), so its values print a fixed number of fraction digits."""
    children = tuple(with_timestamp_precision(child, precision) for child in t.children)
    if t.kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_TZ) and t.precision is None:
        return replace(t, precision=precision, children=children)
    return replace(t, children=children) if children != t.children else t


def text_arrow_type(t: AthenaType) -> pa.DataType:
    """The Arrow type that the csv/api text of `select_expression(..., t, path)` is parsed/cast to.

    Athena writes `true`, `1.0E20`, `NaN`, `-Infinity`, `2024-01-01 12:00:00.123`: pyarrow parses all of
    them. A `timestamp` without declared precision may be Hive's (ms) or Iceberg's (us): it is parsed as us,
    which holds both (the encoder then prints only the digits the values need).
    """
    if t.kind == Kind.BOOLEAN:
        return pa.bool_()
    if t.kind in INTEGER_KINDS:
        return pa.int64()
    if t.kind in FLOAT_KINDS:
        return pa.float64()
    if t.kind == Kind.DECIMAL:
        precision, scale = _decimal_params(t)
        if precision > MAX_DECIMAL128_PRECISION:
            return pa.decimal256(precision, scale)
        return pa.decimal128(precision, scale)
    if t.kind == Kind.DATE:
        return pa.date32()
    if t.kind == Kind.TIMESTAMP:
        return pa.timestamp(timestamp_unit(t) or "us")
    return pa.string()
