"""Athena's `"$path"` pseudo-column: the S3 file each row comes from, and files pruned by predicates on it.

Athena: `SELECT "$path"` gives the S3 location of a row's file
(https://docs.aws.amazon.com/athena/latest/ug/select.html, "Getting the file locations for source data in Amazon
S3"). Athena engine v3 is Trino, whose Hive connector skips the files a predicate on `$path` excludes before
reading them (trinodb/trino, plugin/trino-hive/.../BackgroundHiveSplitLoader.java: `pathMatchesPredicate` on the
path domain; https://trino.io/docs/current/connector/hive.html, "Metadata columns"), so those files are neither
read nor counted in the bytes scanned.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from .moto_state import S3File

PATH = "$path"


def _where_conjuncts(node: exp.Table) -> list[exp.Expr] | None:
    select = node.find_ancestor(exp.Select)
    where = select.args.get("where") if select else None
    if where is None:
        return None
    return list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]


def is_selected(nodes: list[exp.Table]) -> bool:
    """Whether a query over these table references names `"$path"` anywhere in their SELECTs."""
    for node in nodes:
        select = node.find_ancestor(exp.Select)
        if select is not None and any(c.name == PATH for c in select.find_all(exp.Column)):
            return True
    return False


def predicates(nodes: list[exp.Table]) -> list[str] | None:
    """DuckDB SQL of the WHERE conjuncts that constrain `"$path"` alone (over a column named `path`); None when
    some reference has none, or the table is referenced more than once (then no file is pruned)."""
    found: list[str] = []
    if len(nodes) != 1:
        return None
    for node in nodes:
        usable = [
            c
            for c in _where_conjuncts(node) or []
            if (cols := list(c.find_all(exp.Column))) and all(col.name == PATH for col in cols)
        ]
        if not usable:
            return None
        for conjunct in usable:
            copy = conjunct.copy()
            for col in copy.find_all(exp.Column):
                col.replace(exp.column("path", quoted=True))
            found.append(copy.sql(dialect="duckdb"))
    return found


def prune(files: list[S3File], conditions: list[str] | None) -> list[S3File]:
    """The files whose `s3://bucket/key` satisfies every condition (all files when there is none)."""
    if not conditions or not files:
        return files
    conn = duckdb.connect()
    try:
        conn.execute("CREATE TABLE files (i INTEGER, path VARCHAR)")
        conn.executemany("INSERT INTO files VALUES (?, ?)", [[i, uri(f)] for i, f in enumerate(files)])
        where = " AND ".join(f"({c})" for c in conditions)
        kept = {int(r[0]) for r in conn.execute(f"SELECT i FROM files WHERE {where}").fetchall()}
    except duckdb.Error:
        return files
    finally:
        conn.close()
    return [f for i, f in enumerate(files) if i in kept]


def uri(f: S3File) -> str:
    return f"s3://{f.bucket}/{f.key}"
