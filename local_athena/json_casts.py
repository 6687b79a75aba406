"""Trino's refusal of `CAST(x AS JSON)` for types it has no JSON form for, checked before the query runs.

Why: DuckDB casts anything to JSON (a BLOB becomes a `"\\x00\\xFF"` string, a TIME its text), so without this the
stand-in would answer queries Athena refuses. Trino casts to JSON only booleans, integers, real/double, decimal,
varchar, json, date and timestamp, and arrays, maps and rows of those, a map's key being a boolean, a number or a
varchar (core/trino-main src/main/java/io/trino/util/JsonUtil.java `canCastToJson`, `isValidJsonObjectKeyType`;
JsonOperators has no cast from varbinary, time, zoned timestamps or uuid). Anything else (varbinary, time, time or
timestamp with time zone, uuid, at any depth) fails analysis, before any data is read, with TYPE_MISMATCH
"Cannot cast <type> to json" (core/trino-main .../sql/analyzer/ExpressionAnalyzer.java `visitCast`; the container
casts ArrayToJsonCast/MapToJsonCast/RowToJsonCast bind only castable element types). So each such cast's operand
is typed here by DuckDB (binding its SELECT, nothing executed) and checked by Trino's rule.

char: `canCastToJson` has no CharType (JsonUtil.java lines 139-169 at trinodb/trino 029c93b), so `CAST(c AS JSON)`
of a char(n), or of a container holding one (Glue `array<char(3)>`, `map<char(2),int>`), fails the same way. DuckDB
has no char (the stand-in loads it as VARCHAR), so that leaf is found from the Glue types instead: an operand that
is a column of a queried table, or a field of one (`s.c`, `(s).c`), is refused when its Glue type holds a char.
An operand built by an expression (`transform(arr, v -> CAST(v AS varchar))`) is typed by DuckDB alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Protocol

import duckdb
from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp

from .char_values import holds_char
from .glue_types import GlueType, duck_to_athena, parse_glue_type, trino_type_name
from .query_errors import AthenaQueryError

_NUMBER_IDS: Final = frozenset(
    {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint"}
    | {"float", "double", "decimal"}
)
# isValidJsonObjectKeyType: boolean, the numbers and varchar (DuckDB's "null" is Trino's unknown, also accepted).
_KEY_IDS: Final = _NUMBER_IDS | {"boolean", "varchar", '"null"'}
_SCALAR_IDS: Final = _KEY_IDS | {"json", "date", "timestamp", "timestamp_ms", "timestamp_s", "timestamp_ns"}
_PROBE: Final = "__json_cast_operand"


def castable_to_json(t: DuckDBPyType) -> bool:
    """Trino's `canCastToJson` on the DuckDB type of the operand."""
    if t.id in ("list", "array"):
        return castable_to_json(_child_types(t)[0])
    if t.id == "map":
        key, value = _child_types(t)
        return key.id in _KEY_IDS and castable_to_json(value)
    if t.id == "struct":
        return all(castable_to_json(child) for child in _child_types(t))
    return t.id in _SCALAR_IDS


def trino_name(t: DuckDBPyType) -> str:
    """The type as Trino names it in its messages: `array(varbinary)`, `row(a integer, b varbinary)`."""
    if t.id in ("list", "array"):
        return f"array({trino_name(_child_types(t)[0])})"
    if t.id == "map":
        key, value = _child_types(t)
        return f"map({trino_name(key)}, {trino_name(value)})"
    if t.id == "struct":
        fields = [(name, child) for name, child in t.children if isinstance(child, DuckDBPyType)]
        return "row(" + ", ".join(f"{name} {trino_name(child)}" for name, child in fields) + ")"
    name, precision, scale = duck_to_athena(t)
    if name == "decimal":
        return f"decimal({precision},{scale})"
    return f"{name}(3)" if name in ("timestamp", "time", "timestamp with time zone") else name


class _GlueTable(Protocol):
    columns: list[tuple[str, str]]
    partition_keys: list[tuple[str, str]]


def queried_glue_columns(
    ast: exp.Expr, table_info: Callable[[str, str], _GlueTable | None], database: str | None
) -> dict[str, GlueType]:
    """Lower-case column name -> Glue type, for the columns of every Glue table ``ast`` names (before the tables
    are resolved to views)."""
    columns: dict[str, GlueType] = {}
    for table in ast.find_all(exp.Table):
        db = table.db or database
        info = table_info(db, table.name) if db else None
        for name, glue_type in [] if info is None else info.columns + info.partition_keys:
            columns.setdefault(name.lower(), parse_glue_type(glue_type))
    return columns


def check_json_casts(
    conn: duckdb.DuckDBPyConnection, ast: exp.Expr, glue_columns: Mapping[str, GlueType] | None = None
) -> None:
    """Refuse the query as Athena does when one of its `CAST(… AS JSON)` has an operand Trino cannot cast.

    ``ast``: the Trino AST with its tables already resolved to views on ``conn``; ``glue_columns``: the queried
    tables' Glue types (queried_glue_columns), for the char leaves DuckDB cannot see. The operands of one SELECT
    are typed together (one bind). Operands that cannot be typed on their own (a lambda parameter, a correlated
    column) are left to the query itself."""
    by_select: dict[int, tuple[exp.Select, list[exp.Cast]]] = {}
    for cast in ast.find_all(exp.Cast):
        select = cast.find_ancestor(exp.Select)
        if cast.to.is_type(exp.DataType.Type.JSON) and select is not None:
            by_select.setdefault(id(select), (select, []))[1].append(cast)
            _refuse_char(_glue_type_of(cast.this, glue_columns or {}))
    for select, casts in by_select.values():
        for operand in _operand_types(conn, ast, select, casts):
            if not castable_to_json(operand):
                raise AthenaQueryError("TYPE_MISMATCH", f"line 1:8: Cannot cast {trino_name(operand)} to json")


def _operand_types(
    conn: duckdb.DuckDBPyConnection, root: exp.Expr, select: exp.Select, casts: list[exp.Cast]
) -> list[DuckDBPyType]:
    """The DuckDB types of the casts' operands: their SELECT with only those operands selected, bound (not run)."""
    probe = select.copy()
    probe.set("expressions", [exp.alias_(c.this.copy(), f"{_PROBE}{i}", quoted=True) for i, c in enumerate(casts)])
    for clause in ("order", "limit", "offset", "distinct"):
        probe.set(clause, None)
    if select is not root and root.args.get("with") is not None and probe.args.get("with") is None:
        probe.set("with", root.args["with"].copy())
    try:
        return list(conn.sql(probe.sql(dialect="duckdb")).types)
    except duckdb.Error:  # one operand cannot be typed alone: the others one by one
        if len(casts) == 1:
            return []
        return [t for cast in casts for t in _operand_types(conn, root, select, [cast])]


def _child_types(t: DuckDBPyType) -> list[DuckDBPyType]:
    return [child for _name, child in t.children if isinstance(child, DuckDBPyType)]


def _refuse_char(t: GlueType | None) -> None:
    """TYPE_MISMATCH, as Trino, when a Glue type holds a char at any depth."""
    if t is not None and holds_char(t):
        raise AthenaQueryError("TYPE_MISMATCH", f"line 1:8: Cannot cast {trino_type_name(t)} to json")


def _glue_type_of(node: exp.Expr, columns: Mapping[str, GlueType]) -> GlueType | None:
    """The Glue type of a column (``c``), or of a field of one (``s.c``, ``(s).c``); None for anything else."""
    if isinstance(node, exp.Paren):
        return _glue_type_of(node.this, columns)
    if isinstance(node, exp.Column):
        parent = columns.get(node.table.lower()) if node.table else None  # `s.c`: s names a column, c its field
        return columns.get(node.name.lower()) if parent is None else _field(parent, node.name)
    if isinstance(node, exp.Dot):
        parent = _glue_type_of(node.this, columns)
        return None if parent is None else _field(parent, node.name)
    return None


def _field(t: GlueType, name: str) -> GlueType | None:
    return next((child for field, child in t.children if t.name == "struct" and field.lower() == name.lower()), None)
