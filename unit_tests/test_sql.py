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
        ("42", "bigint", "42"),
        ("-9223372036854775808", "bigint", "-9223372036854775808"),
        ("2024-01-02", "date", "DATE '2024-01-02'"),
        ("2024-01-02 03:04:05.123456", "timestamp", "TIMESTAMP '2024-01-02 03:04:05.123456'"),
        ("2024-01-02T03:04:05.123", "timestamp", "TIMESTAMP '2024-01-02 03:04:05.123'"),
        ("12345678901234567890.0123456789", "decimal", "DECIMAL '12345678901234567890.0123456789'"),
        ("o'clock", "varchar", "'o''clock'"),
        ("1.5", "double", "CAST('1.5' AS double)"),
    ],
)
def test_typed_literals(text: str, kind: str, expected: str) -> None:
    assert literal(text, kind, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [("1 OR 1=1", "bigint"), ("2024-01-02'; --", "date"), ("yesterday", "timestamp"), ("1e5", "decimal")],
)
def test_literals_reject_values_of_another_type(text: str, kind: str) -> None:
    with pytest.raises(ValueError):
        literal(text, kind, kind)


def test_null_partition_is_is_null() -> None:
    assert equals_condition('"k"', "__HIVE_DEFAULT_PARTITION__", "varchar", "varchar") == '"k" IS NULL'
    assert equals_condition('"k"', None, "integer", "integer") == '"k" IS NULL'
    assert equals_condition('"k"', "7", "integer", "integer") == '"k" = 7'


def test_leading_comment_cannot_be_closed_by_the_connection_name() -> None:
    comment = leading_comment("evil */ DROP TABLE x; /*\n", "read")
    assert comment.count("*/") == 1 and comment.endswith("*/ ") and "\n" not in comment


def test_unload_statement_quotes_the_target() -> None:
    sql = unload_statement("/* c */ ", "SELECT 1", "s3://b/it's/")
    assert sql == "/* c */ UNLOAD (SELECT 1) TO 's3://b/it''s/' WITH (format = 'PARQUET', compression = 'SNAPPY')"
