"""SQL text building: the only place where catalog- or user-supplied text becomes SQL.

Identifiers are always double-quoted with embedded quotes doubled (Trino/Athena rules), and literals are
rendered by their type, so a table named `x"; DROP …` is read as a name and never as SQL.
"""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """Quote one identifier for Athena (Trino): `a"b` -> `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    """A varchar literal: `it's` -> `'it''s'`."""
    return "'" + value.replace("'", "''") + "'"


def qualified_table(catalog: str, database: str, table: str) -> str:
    """A three-part table reference, each part quoted."""
    return ".".join(quote_identifier(part) for part in (catalog, database, table))
