"""Trino's `transform_values(map, (k, v) -> …)` and `transform_keys(map, (k, v) -> …)` in DuckDB, which has neither.

Why: Athena engine 3 runs Trino's map functions (https://trino.io/docs/current/functions/map.html#transform_values,
#transform_keys; https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html), and the connector renders nested
map values with them. sqlglot passes both through unchanged, so the stand-in rewrites each into
`map_from_entries(list_transform(map_entries(m), e -> {'key': …, 'value': …}))` with the lambda's `k`/`v` bound to
`e.key`/`e.value`: the same entries, keys and values computed by the same lambda; a NULL map stays NULL.
"""

from __future__ import annotations

import itertools

import sqlglot
from sqlglot import exp

_FUNCTIONS = ("transform_values", "transform_keys")


def rewrite_map_transforms(ast: exp.Expr) -> None:
    """Replace every `transform_values`/`transform_keys` call in ``ast``, innermost first."""
    calls = [n for n in ast.find_all(exp.Anonymous) if n.name.lower() in _FUNCTIONS]
    names = (f"__entry{i}" for i in itertools.count())
    for call in reversed(calls):  # find_all walks breadth-first: nested calls come later
        call.replace(_rewritten(call, next(names)))


def _rewritten(call: exp.Anonymous, entry: str) -> exp.Expr:
    the_map, lam = call.expressions
    if not isinstance(lam, exp.Lambda) or len(lam.expressions) != 2:
        raise sqlglot.errors.ParseError(f"{call.name} needs a lambda (k, v) -> …")
    k, v = (p.name for p in lam.expressions)
    body = lam.this.copy().transform(lambda n: _bound(n, {k: "key", v: "value"}, entry))
    key = body.sql("duckdb") if call.name.lower() == "transform_keys" else f"{entry}.key"
    value = body.sql("duckdb") if call.name.lower() == "transform_values" else f"{entry}.value"
    sql = f"map_from_entries(list_transform(map_entries({the_map.sql('duckdb')}), {entry} -> {{'key': {key}, 'value': {value}}}))"
    return sqlglot.parse_one(sql, read="duckdb")


def _bound(node: exp.Expr, params: dict[str, str], entry: str) -> exp.Expr:
    """A lambda parameter (a bare identifier or column) -> the entry's field."""
    if isinstance(node, exp.Column) and not node.table and node.name in params:
        return exp.column(params[node.name], table=entry)
    if isinstance(node, exp.Identifier) and not isinstance(node.parent, exp.Column) and node.name in params:
        return exp.column(params[node.name], table=entry)
    return node
