"""SQL text: identifiers and literals cannot break out of their place."""

from __future__ import annotations

import pytest

from source_skoot_athena.sql import (
    equals_condition,
    leading_comment,
    literal,
    qualified_table,
    quote_identifier,
    quote_string,
    unload_statement,
)
from source_skoot_athena.types import Kind


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("movies", '"movies"'),
        ('x"; DROP TABLE t; --', '"x""; DROP TABLE t; --"'),
        ("select", '"select"'),
        ("Σκιά 東京", '"Σκιά 東京"'),
        ("a`b", '"a`b"'),
    ],
)
def test_quote_identifier(name: str, quoted: str) -> None:
    assert quote_identifier(name) == quoted


def test_quote_string_doubles_quotes() -> None:
    assert quote_string("it's") == "'it''s'"


def test_qualified_table() -> None:
    assert qualified_table("AwsDataCatalog", 'd"b', "t") == '"AwsDataCatalog"."d""b"."t"'


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("42", Kind.BIGINT, "42"),
        ("-9223372036854775808", Kind.BIGINT, "-9223372036854775808"),
        ("TRUE", Kind.BOOLEAN, "true"),
        ("2024-01-02", Kind.DATE, "DATE '2024-01-02'"),
        ("2024-01-02 03:04:05.123456", Kind.TIMESTAMP, "TIMESTAMP '2024-01-02 03:04:05.123456'"),
        ("2024-01-02T03:04:05.123", Kind.TIMESTAMP, "TIMESTAMP '2024-01-02 03:04:05.123'"),
        ("12345678901234567890.0123456789", Kind.DECIMAL, "DECIMAL '12345678901234567890.0123456789'"),
        ("o'clock", Kind.VARCHAR, "'o''clock'"),
        ("o'clock", Kind.CHAR, "'o''clock'"),
        ("1.5", Kind.DOUBLE, "CAST('1.5' AS double)"),
    ],
)
def test_typed_literals(text: str, kind: Kind, expected: str) -> None:
    assert literal(text, kind.value, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1 OR 1=1", Kind.BIGINT),
        ("yes", Kind.BOOLEAN),
        ("2024-01-02'; --", Kind.DATE),
        ("yesterday", Kind.TIMESTAMP),
        ("1e5", Kind.DECIMAL),
    ],
)
def test_literals_reject_values_of_another_type(text: str, kind: Kind) -> None:
    with pytest.raises(ValueError):
        literal(text, kind.value, kind)


def test_null_partition_is_is_null() -> None:
    assert equals_condition('"k"', "__HIVE_DEFAULT_PARTITION__", "varchar", Kind.VARCHAR) == '"k" IS NULL'
    assert equals_condition('"k"', None, "integer", Kind.INTEGER) == '"k" IS NULL'
    assert equals_condition('"k"', "7", "integer", Kind.INTEGER) == '"k" = 7'
    assert equals_condition('"k"', "a'b", "varchar", Kind.VARCHAR) == "\"k\" = 'a''b'"


def test_leading_comment_cannot_be_closed_by_the_connection_name() -> None:
    comment = leading_comment("evil */ DROP TABLE x; /*\n", "read")
    assert comment.count("*/") == 1 and comment.endswith("*/ ") and "\n" not in comment


def test_unload_statement_quotes_the_target() -> None:
    sql = unload_statement("/* c */ ", "SELECT 1", "s3://b/it's/")
    assert sql == "/* c */ UNLOAD (SELECT 1) TO 's3://b/it''s/' WITH (format = 'PARQUET', compression = 'SNAPPY')"
