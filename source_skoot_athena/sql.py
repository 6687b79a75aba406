"""SQL text building: the only place where catalog- or user-supplied text becomes SQL.

Identifiers are always double-quoted with embedded quotes doubled (Trino/Athena rules), and literals are
rendered by their type, so a table named `x"; DROP …` is read as a name and never as SQL.
"""

from __future__ import annotations

import re

from source_skoot_athena.quoting import quote_identifier, quote_string
from source_skoot_athena.types.model import INTEGER_KINDS, STRING_KINDS, Kind

__all__ = [
    "HIVE_NULL_PARTITION",
    "equals_condition",
    "leading_comment",
    "literal",
    "qualified_table",
    "quote_identifier",
    "quote_string",
    "select_statement",
    "unload_statement",
]


def qualified_table(catalog: str, database: str, table: str) -> str:
    """A three-part table reference, each part quoted."""
    return ".".join(quote_identifier(part) for part in (catalog, database, table))


def leading_comment(connection_name: str, purpose: str) -> str:
    """`/* source-skoot-athena: <connection> (<purpose>) */ ` so users find our queries in Athena's history.

    Comment terminators and control characters are neutralised so the name can never end the comment early.
    """
    text = f"{connection_name} ({purpose})"
    text = "".join(ch if ch.isprintable() else " " for ch in text).replace("*/", "* /").replace("/*", "/ *")
    return f"/* source-skoot-athena: {text} */ "


# --- literals and statements ---------------------------------------------------------------------------------
HIVE_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
LITERAL_FORMATS = {
    Kind.DATE: re.compile(r"^-?\d{4,}-\d{2}-\d{2}$"),
    Kind.TIMESTAMP: re.compile(r"^-?\d{4,}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,12})?$"),
    Kind.DECIMAL: re.compile(r"^-?\d+(\.\d+)?$"),
}


def literal(text: str, type_name: str, kind: Kind) -> str:
    """A typed literal of `text` (a value as Athena renders it) for a column of Athena type `type_name`.

    Typed literals matter: Athena rejects `timestamp_col > '2024-01-01'` (timestamp vs varchar).
    """
    if kind in INTEGER_KINDS:
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{text!r} is not an integer")
        return str(int(text))
    if kind == Kind.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not a boolean")
        return text.lower()
    pattern = LITERAL_FORMATS.get(kind)
    if pattern is not None and not pattern.match(text):
        raise ValueError(f"{text!r} is not a {kind} value")
    if kind == Kind.DATE:
        return f"DATE {quote_string(text)}"
    if kind == Kind.TIMESTAMP:
        return f"TIMESTAMP {quote_string(text.replace('T', ' '))}"
    if kind == Kind.DECIMAL:
        return f"DECIMAL {quote_string(text)}"
    if kind in STRING_KINDS:
        return quote_string(text)
    return f"CAST({quote_string(text)} AS {type_name})"


def select_statement(
    comment: str, select_list: list[str], table: str, conditions: list[str], order_by: list[str] | None = None
) -> str:
    """`/* comment */ SELECT a, b FROM t WHERE (c1) AND (c2) [ORDER BY …]`."""
    where = " WHERE " + " AND ".join(f"({c})" for c in conditions) if conditions else ""
    order = " ORDER BY " + ", ".join(order_by) if order_by else ""
    return f"{comment}SELECT {', '.join(select_list)} FROM {table}{where}{order}"


def unload_statement(comment: str, select: str, target: str) -> str:
    """`/* comment */ UNLOAD (SELECT …) TO 's3://…/' WITH (format = 'PARQUET', compression = 'SNAPPY')`."""
    return f"{comment}UNLOAD ({select}) TO {quote_string(target)} WITH (format = 'PARQUET', compression = 'SNAPPY')"


def equals_condition(quoted_column: str, value: str | None, type_name: str, kind: Kind) -> str:
    """`"k" = <literal>`; Hive's default partition (and None) mean NULL."""
    if value is None or value == HIVE_NULL_PARTITION:
        return f"{quoted_column} IS NULL"
    return f"{quoted_column} = {literal(value, type_name, kind)}"
