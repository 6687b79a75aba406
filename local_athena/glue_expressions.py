"""Glue's GetPartitions ``Expression``: the words its parser reserves cannot name a column.

Why: Glue parses the expression with JSqlParser, whose reserved keywords cannot be column names: an expression
such as ``key >= '5'`` on a partition key named ``key`` is refused with InvalidInputException. The list is
JSqlParser's reserved words as Trino documents them where it builds Glue expressions (trinodb/trino
plugin/trino-hive .../metastore/glue/GlueExpressionUtil.java, ``JSQL_PARSER_RESERVED_KEYWORDS``; Trino leaves
such columns out of the expression, PR #11512). Glue's exact message is not known: the stand-in's is its own.
"""

from __future__ import annotations

import re

from moto.glue.exceptions import InvalidInputException

RESERVED_WORDS = frozenset(
    [
        "all",
        "and",
        "any",
        "as",
        "asc",
        "begin",
        "between",
        "by",
        "case",
        "create",
        "delete",
        "desc",
        "distinct",
        "do",
        "drop",
        "else",
        "end",
        "escape",
        "exists",
        "from",
        "full",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "intersect",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "natural",
        "not",
        "null",
        "offset",
        "on",
        "open",
        "or",
        "order",
        "outer",
        "primary",
        "replace",
        "right",
        "select",
        "set",
        "some",
        "table",
        "then",
        "top",
        "truncate",
        "union",
        "update",
        "using",
        "values",
        "when",
        "where",
        "with",
    ]
)
_STRING = re.compile(r"'(?:[^']|'')*'")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_expression(expression: str, key_names: list[str]) -> None:
    """Refuse an expression that uses a reserved word as a (partition key) column name."""
    words = {w.lower() for w in _WORD.findall(_STRING.sub("''", expression))}
    used = sorted(w for w in words & {k.lower() for k in key_names} if w in RESERVED_WORDS)
    if used:
        raise InvalidInputException(
            "GetPartitions", f"Unable to parse the expression: '{used[0]}' is a reserved word ({expression})"
        )
