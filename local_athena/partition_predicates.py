"""Evaluate predicates over a table's partition values in DuckDB.

Why: both Athena's partition pruning (WHERE conjuncts on partition keys) and Glue's GetPartitions
``Expression`` are SQL predicates over the partition list; DuckDB over a small typed table of partition values
evaluates them all (NOT, IN, BETWEEN, LIKE, ``date '…'`` literals…) without a hand-written parser.
"""

from __future__ import annotations

import duckdb
import sqlglot
from sqlglot import exp

from .glue_types import duck_ident, glue_to_duck
from .table_sources import HIVE_NULL


def matching_partitions(
    partition_keys: list[tuple[str, str]], values: list[list[str]], predicates: list[str]
) -> list[int]:
    """Indexes of the partitions whose typed key values satisfy every predicate (all, if evaluation fails)."""
    try:
        return evaluate(partition_keys, values, predicates)
    except duckdb.Error:
        return list(range(len(values)))


def evaluate(partition_keys: list[tuple[str, str]], values: list[list[str]], predicates: list[str]) -> list[int]:
    """Indexes of the partitions satisfying every predicate; raises duckdb.Error if one is invalid."""
    if not values:
        return []
    conn = duckdb.connect()
    try:
        cols = ", ".join(f"{duck_ident(n.lower())} VARCHAR" for n, _ in partition_keys)
        conn.execute(f"CREATE TABLE raw (__idx INTEGER, {cols})")
        rows = [
            [i, *[None if v == HIVE_NULL else v for v in (vals + [None] * len(partition_keys))[: len(partition_keys)]]]
            for i, vals in enumerate(values)
        ]
        conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * (len(partition_keys) + 1))})", rows)
        typed = ", ".join(
            f"TRY_CAST({duck_ident(n.lower())} AS {glue_to_duck(t)}) AS {duck_ident(n.lower())}"
            for n, t in partition_keys
        )
        conn.execute(f"CREATE VIEW parts AS SELECT __idx, {typed} FROM raw")
        where = " AND ".join(f"({p})" for p in predicates) or "true"
        result = conn.execute(f"SELECT __idx FROM parts WHERE {where} ORDER BY __idx").fetchall()
        return [int(r[0]) for r in result]
    finally:
        conn.close()


def glue_expression_to_sql(expression: str) -> str:
    """Glue's Expression syntax is SQL-like; lower-case column names and keep literals as they are."""
    ast = sqlglot.parse_one(expression, read="hive")
    for col in ast.find_all(exp.Column):
        col.replace(exp.column(col.name.lower(), quoted=True))
    return ast.sql(dialect="duckdb")


def filter_by_expression(
    partition_keys: list[tuple[str, str]], values: list[list[str]], expression: str
) -> list[int] | None:
    """Indexes matching a Glue GetPartitions Expression; None when it cannot be evaluated."""
    try:
        return evaluate(partition_keys, values, [glue_expression_to_sql(expression)])
    except Exception:
        return None


def pruned_partitions(
    partition_keys: list[tuple[str, str]], values: list[list[str]], nodes: list[exp.Table]
) -> list[int]:
    """Indexes of the partitions a query's references to one table can read: the union over ``nodes`` of the
    partitions matching the WHERE conjuncts that use only partition keys (all partitions if any reference has
    none). This is Athena's partition pruning: only those partitions' files are listed, read and billed."""
    every = list(range(len(values)))
    keys = {name.lower() for name, _ in partition_keys}
    needed: set[int] = set()
    for node in nodes:
        select = node.find_ancestor(exp.Select)
        where = select.args.get("where") if select else None
        usable = _partition_conjuncts(where.this, (node.alias or node.name).lower(), keys) if where else []
        if not usable:
            return every
        needed.update(matching_partitions(partition_keys, values, usable))
    return sorted(needed)


def _partition_conjuncts(condition: exp.Expr, alias: str, keys: set[str]) -> list[str]:
    """The conjuncts of ``condition`` over partition keys only (of this table reference), as DuckDB SQL."""
    conjuncts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    usable = []
    for c in conjuncts:
        cols = list(c.find_all(exp.Column))
        if not cols or c.find(exp.Subquery, exp.Select):
            continue
        if all(col.name.lower() in keys and (not col.table or col.table.lower() == alias) for col in cols):
            stripped = c.copy()
            for col in stripped.find_all(exp.Column):
                col.replace(exp.column(col.name.lower(), quoted=True))
            usable.append(stripped.sql(dialect="duckdb"))
    return usable
