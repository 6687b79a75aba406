"""Config parsing: every bad field is named; secrets stay out of repr()."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_skoot_athena.config import DEFAULT_TIMEOUT_MS, parse_config
from source_skoot_athena.errors import ConfigError

GOOD: dict[str, Any] = {
    "connection_name": "prod",
    "aws_region": "ap-south-1",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "workgroup": "skoot",
    "catalog": "AwsDataCatalog",
    "query_timeout_ms": 5000,
}


def test_good_config_is_typed() -> None:
    config = parse_config(GOOD)
    assert config.region == "ap-south-1" and config.query_timeout_ms == 5000 and config.databases == ()
    assert config.max_concurrent_queries == 2


def test_defaults_apply_for_optional_fields() -> None:
    raw = {k: v for k, v in GOOD.items() if k not in ("workgroup", "catalog", "query_timeout_ms")}
    config = parse_config(raw)
    assert (config.workgroup, config.catalog, config.query_timeout_ms) == (
        "primary",
        "AwsDataCatalog",
        DEFAULT_TIMEOUT_MS,
    )


def test_secrets_never_in_repr() -> None:
    text = repr(parse_config(GOOD)) + str(parse_config(GOOD))
    assert GOOD["secret_access_key"] not in text and GOOD["access_key_id"] not in text


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("query_timeout_ms", 999, "Query Timeout (ms)"),
        ("query_timeout_ms", True, "whole number"),
        ("query_timeout_ms", 1.5, "whole number"),
        ("aws_region", "Mumbai", "AWS Region"),
        ("aws_region", 5, "must be text"),
        ("workgroup", "  ", "Workgroup"),
        ("connection_name", "a\nb", "control characters"),
        ("access_key_id", "short", "Access Key ID"),
        ("secret_access_key", "", "Secret Access Key"),
        ("databases", "not-a-list-but-ok", None),
        ("databases", [1, 2], "Glue Databases"),
        ("databases", ["a", "a"], "twice"),
        ("max_concurrent_queries", 0, "Concurrent Queries"),
    ],
)
def test_each_bad_field_is_named(key: str, value: object, expected: str | None) -> None:
    raw = {**GOOD, key: value}
    if expected is None:
        assert parse_config(raw).databases == ("not-a-list-but-ok",)
        return
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert expected in (error.value.message or "")


def test_missing_required_field() -> None:
    raw = {k: v for k, v in GOOD.items() if k != "aws_region"}
    with pytest.raises(ConfigError, match="AWS Region"):
        parse_config(raw)


def test_not_an_object() -> None:
    with pytest.raises(ConfigError, match="JSON object"):
        parse_config(["not", "a", "dict"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*GOOD.keys(), "databases", "max_concurrent_queries", "unknown"]), json_values, max_size=10
    ),
    st.booleans(),
)
def test_any_config_parses_or_fails_with_a_config_error(fields: dict[str, Any], start_from_good: bool) -> None:
    """Property: whatever JSON arrives, the outcome is a Config or a ConfigError (never another exception)."""
    raw = {**GOOD, **fields} if start_from_good else fields
    try:
        config = parse_config(raw)
    except ConfigError as exc:
        assert exc.message and exc.message.startswith("Config")
        assert GOOD["secret_access_key"] not in exc.message
        return
    assert config.query_timeout_ms >= 1000


@pytest.mark.parametrize("key", ["connection_name", "aws_region", "access_key_id", "workgroup", "catalog"])
@pytest.mark.parametrize("value", ["x" * 1_000_000, "Σκιά東京😀" * 100_000])
def test_huge_text_fields_are_refused_by_name(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({**GOOD, key: value})
    message = error.value.message or ""
    assert key in message and len(message) < 500, "the error names the field and does not echo the huge value"


def test_a_huge_secret_is_accepted_and_never_echoed() -> None:
    secret = "s" * 1_000_000
    config = parse_config({**GOOD, "secret_access_key": secret})
    assert config.secret_access_key == secret and secret not in repr(config)
