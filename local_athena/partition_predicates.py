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

_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


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
            [i, *[None if v == _HIVE_NULL else v for v in (vals + [None] * len(partition_keys))[: len(partition_keys)]]]
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
