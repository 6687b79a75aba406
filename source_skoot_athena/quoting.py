"""Trino/Athena quoting of identifiers and string literals: the leaf that both the type model (rendering
`row("a" integer)`) and the SQL builder (sql.py) use, so neither has to import the other to quote a name."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """Quote one identifier for Athena (Trino): `a"b` -> `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    """A varchar literal: `it's` -> `'it''s'`."""
    return "'" + value.replace("'", "''") + "'"
