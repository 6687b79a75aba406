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
"""

from __future__ import annotations

from typing import Final

import duckdb
from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp

from .glue_types import duck_to_athena
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


def check_json_casts(conn: duckdb.DuckDBPyConnection, ast: exp.Expr) -> None:
    """Refuse the query as Athena does when one of its `CAST(… AS JSON)` has an operand Trino cannot cast.

    ``ast``: the Trino AST with its tables already resolved to views on ``conn``. The operands of one SELECT are
    typed together (one bind). Operands that cannot be typed on their own (a lambda parameter, a correlated
    column) are left to the query itself."""
    by_select: dict[int, tuple[exp.Select, list[exp.Cast]]] = {}
    for cast in ast.find_all(exp.Cast):
        select = cast.find_ancestor(exp.Select)
        if cast.to.is_type(exp.DataType.Type.JSON) and select is not None:
            by_select.setdefault(id(select), (select, []))[1].append(cast)
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
