"""Glue / Athena type strings <-> DuckDB and Arrow types.

Why: tables are registered in Glue with Hive type strings (``decimal(12,2)``, ``array<struct<a:int>>``), the
engine must load S3 files *as those types* (Athena trusts the catalog, not the file), and results must be
described with Athena's type names in ColumnInfo. This module is the one table of those correspondences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
from duckdb.sqltypes import DuckDBPyType


@dataclass(frozen=True)
class GlueType:
    """A parsed Glue type: ``name`` plus params (decimal/char) and children (array/map/struct)."""

    name: str
    params: tuple[int, ...] = ()
    children: tuple[tuple[str, GlueType], ...] = field(default_factory=tuple)


_SCALARS_TO_DUCK = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "binary": "BLOB",
    "varbinary": "BLOB",
    "json": "JSON",
}

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*?(?=\s*[<>(),:]|\s*$)|[<>(),:]|\d+|`[^`]*`)")


def parse_glue_type(text: str) -> GlueType:
    """Parse a Hive/Glue type string such as ``map<string,array<decimal(10,2)>>``."""
    tokens = [t for t in _TOKEN.findall(text.strip()) if t.strip()]
    pos = 0

    def peek() -> str:
        return tokens[pos] if pos < len(tokens) else ""

    def take() -> str:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        return tok

    def parse() -> GlueType:
        name = take().strip().lower()
        if name in ("array",):
            take()  # <
            child = parse()
            take()  # >
            return GlueType("array", children=(("element", child),))
        if name == "map":
            take()
            key = parse()
            take()  # ,
            value = parse()
            take()
            return GlueType("map", children=(("key", key), ("value", value)))
        if name in ("struct", "row"):
            take()
            fields: list[tuple[str, GlueType]] = []
            while peek() != ">":
                fname = take().strip().strip("`")
                take()  # :
                fields.append((fname, parse()))
                if peek() == ",":
                    take()
            take()
            return GlueType("struct", children=tuple(fields))
        params: list[int] = []
        if peek() == "(":
            take()
            while peek() != ")":
                tok = take()
                if tok != ",":
                    params.append(int(tok))
            take()
        return GlueType(name, tuple(params))

    return parse()


def trino_type_name(t: GlueType) -> str:
    """A Glue type as Athena names it (information_schema, error messages): ``map(char(2), integer)``."""
    simple = {"string": "varchar", "int": "integer", "float": "real", "binary": "varbinary"}
    if t.name == "array":
        return f"array({trino_type_name(t.children[0][1])})"
    if t.name == "map":
        return f"map({trino_type_name(t.children[0][1])}, {trino_type_name(t.children[1][1])})"
    if t.name == "struct":
        return "row(" + ", ".join(f"{n} {trino_type_name(c)}" for n, c in t.children) + ")"
    if t.name == "timestamp":
        return "timestamp(3)"
    if t.params:
        return f"{simple.get(t.name, t.name)}({','.join(str(p) for p in t.params)})"
    return simple.get(t.name, t.name)


def duck_ident(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def glue_to_duck(t: GlueType | str) -> str:
    """DuckDB type text for a Glue type (unknown scalars become VARCHAR: permissive like Hive's SerDes)."""
    if isinstance(t, str):
        t = parse_glue_type(t)
    if t.name == "decimal":
        p, s = ((*t.params, 10, 0))[:2] if t.params else (10, 0)
        if len(t.params) == 1:
            s = 0
        return f"DECIMAL({p},{s})"
    if t.name == "timestamp" and t.params:
        return "TIMESTAMP"
    if t.name == "array":
        return glue_to_duck(t.children[0][1]) + "[]"
    if t.name == "map":
        return f"MAP({glue_to_duck(t.children[0][1])}, {glue_to_duck(t.children[1][1])})"
    if t.name == "struct":
        inner = ", ".join(f"{duck_ident(n)} {glue_to_duck(c)}" for n, c in t.children)
        return f"STRUCT({inner})"
    return _SCALARS_TO_DUCK.get(t.name, "VARCHAR")


_ARROW_SCALARS_TO_GLUE: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_int8, "tinyint"),
    (pa.types.is_int16, "smallint"),
    (pa.types.is_int32, "int"),
    (pa.types.is_integer, "bigint"),
    (pa.types.is_float32, "float"),
    (pa.types.is_floating, "double"),
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
    (pa.types.is_binary, "binary"),
    (pa.types.is_large_binary, "binary"),
    (pa.types.is_date, "date"),
    (pa.types.is_timestamp, "timestamp"),
]


def arrow_to_glue(t: pa.DataType) -> str:
    """Glue type string inferred from an Arrow type (used when put_table gets no explicit glue_types)."""
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"array<{arrow_to_glue(t.value_type)}>"
    if pa.types.is_map(t):
        return f"map<{arrow_to_glue(t.key_type)},{arrow_to_glue(t.item_type)}>"
    if pa.types.is_struct(t):
        inner = ",".join(f"{t.field(i).name}:{arrow_to_glue(t.field(i).type)}" for i in range(t.num_fields))
        return f"struct<{inner}>"
    return next((name for test, name in _ARROW_SCALARS_TO_GLUE if test(t)), "string")


# DuckDB type id -> (Athena type name, Precision, Scale) for ColumnInfo.
_DUCK_TO_ATHENA: dict[str, tuple[str, int, int]] = {
    "varchar": ("varchar", 2147483647, 0),
    "bigint": ("bigint", 19, 0),
    "hugeint": ("decimal", 38, 0),
    "ubigint": ("decimal", 20, 0),
    "integer": ("integer", 10, 0),
    "uinteger": ("bigint", 19, 0),
    "smallint": ("smallint", 5, 0),
    "usmallint": ("integer", 10, 0),
    "tinyint": ("tinyint", 3, 0),
    "utinyint": ("smallint", 5, 0),
    "double": ("double", 17, 0),
    "float": ("real", 17, 0),
    "boolean": ("boolean", 0, 0),
    "date": ("date", 0, 0),
    "timestamp": ("timestamp", 3, 0),
    "timestamp_ms": ("timestamp", 3, 0),
    "timestamp_s": ("timestamp", 3, 0),
    "timestamp_ns": ("timestamp", 3, 0),
    "timestamp with time zone": ("timestamp with time zone", 3, 0),
    "time": ("time", 3, 0),
    "interval": ("interval day to second", 0, 0),
    "blob": ("varbinary", 1073741824, 0),
    "list": ("array", 0, 0),
    "array": ("array", 0, 0),
    "map": ("map", 0, 0),
    "struct": ("row", 0, 0),
    "uuid": ("uuid", 0, 0),
    "json": ("json", 0, 0),
    '"null"': ("unknown", 0, 0),
}


def duck_to_athena(t: DuckDBPyType) -> tuple[str, int, int]:
    """Athena ColumnInfo (Type, Precision, Scale) for a DuckDB result column type."""
    text = str(t)
    if t.id == "decimal":
        m = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", text)
        if m:
            return "decimal", int(m.group(1)), int(m.group(2))
    if text == "JSON":
        return "json", 0, 0
    return _DUCK_TO_ATHENA.get(t.id, ("varchar", 2147483647, 0))
