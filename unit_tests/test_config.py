"""Config parsing: every bad field is named; secrets stay out of repr()."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import source_skoot_athena
from source_skoot_athena.config import CONFIG_ATTRIBUTE, DEFAULT_TIMEOUT_MS, REGION_PATTERN, Config, parse_config
from source_skoot_athena.errors import ConfigError

# Read from the file itself (not through config.py), so the tests below tie config.py to it.
SPEC: dict[str, Any] = json.loads((Path(source_skoot_athena.__file__).parent / "spec.json").read_text())
SPEC_FORM: dict[str, dict[str, Any]] = SPEC["connectionSpecification"]["properties"]
# Always required, plus the two keys required unless the default credential chain is chosen (the root `else`).
SPEC_REQUIRED = [*SPEC["connectionSpecification"]["required"], *SPEC["connectionSpecification"]["else"]["required"]]
# Hypothesis draws the same examples on every run (CI is deterministic); failures still shrink.
DETERMINISTIC = settings(max_examples=300, deadline=None, derandomize=True)

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
    assert config.max_concurrent_queries == 4


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
        ("databases", [1, 2], "Glue Databases"),
        ("databases", ["a", "a"], "twice"),
        ("max_concurrent_queries", 0, "Concurrent Queries"),
    ],
)
def test_each_bad_field_is_named(key: str, value: object, expected: str) -> None:
    raw = {**GOOD, key: value}
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert expected in (error.value.message or "")


def test_databases_may_come_as_comma_separated_text() -> None:
    assert parse_config({**GOOD, "databases": "sales, web ,,"}).databases == ("sales", "web")


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


def _outcome(raw: Any) -> Config | str:
    """The Config, or the ConfigError's message (any other exception fails the test)."""
    try:
        return parse_config(raw)
    except ConfigError as exc:
        assert exc.message and exc.message.startswith("Config")
        return exc.message


def _assert_valid(config: Config, raw: Mapping[str, Any]) -> None:
    """A parsed config holds only what the form allows."""
    assert REGION_PATTERN.match(config.region)
    for key in ("connection_name", "workgroup", "catalog", "access_key_id"):
        text = getattr(config, CONFIG_ATTRIBUTE[key])
        assert text and text == text.strip() and len(text) <= SPEC_FORM[key]["maxLength"]
        assert not any(ord(ch) < 32 for ch in text)
    for key in ("query_timeout_ms", "max_concurrent_queries"):
        assert SPEC_FORM[key]["minimum"] <= getattr(config, key) <= SPEC_FORM[key]["maximum"]
    assert config.secret_access_key == str(raw["secret_access_key"]).strip()
    assert all(config.databases) and len(set(config.databases)) == len(config.databases)


@DETERMINISTIC
@given(
    st.dictionaries(
        st.sampled_from([*GOOD.keys(), "databases", "max_concurrent_queries", "unknown"]), json_values, max_size=10
    ),
    st.booleans(),
)
def test_any_config_parses_or_fails_with_a_config_error(fields: dict[str, Any], start_from_good: bool) -> None:
    """Property: whatever JSON arrives, the outcome is a valid Config or a ConfigError (never another exception),
    and no error message depends on the secret the config carries (so none can show it)."""
    raw = {**GOOD, **fields} if start_from_good else fields
    outcome = _outcome(raw)
    if isinstance(outcome, Config):
        _assert_valid(outcome, raw)
        return
    secret = raw.get("secret_access_key")
    if isinstance(secret, str) and secret.strip():
        assert _outcome({**raw, "secret_access_key": "another-secret-entirely"}) == outcome


@pytest.mark.parametrize("key", ["connection_name", "aws_region", "access_key_id", "workgroup", "catalog"])
@pytest.mark.parametrize("value", ["x" * 1_000_000, "Σκιά東京😀" * 100_000], ids=["1M-ascii", "700k-unicode"])
def test_huge_text_fields_are_refused_by_name(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({**GOOD, key: value})
    message = error.value.message or ""
    assert key in message and len(message) < 500, "the error names the field and does not echo the huge value"


def test_a_huge_secret_is_accepted_and_never_echoed() -> None:
    secret = "s" * 1_000_000
    config = parse_config({**GOOD, "secret_access_key": secret})
    assert config.secret_access_key == secret and secret not in repr(config)


# --- config.py against spec.json, the one source of the form -------------------------------------------------------
VALID_VALUES: dict[str, tuple[Any, Any]] = {  # form field -> (a valid raw value, what Config holds for it)
    "connection_name": ("  nightly  ", "nightly"),
    "aws_region": ("eu-west-1", "eu-west-1"),
    "access_key_id": ("AKIAZZZZZZZZZZZZZZZZ", "AKIAZZZZZZZZZZZZZZZZ"),
    "secret_access_key": (" s3cr3t ", "s3cr3t"),
    "workgroup": ("analytics", "analytics"),
    "catalog": ("lakehouse", "lakehouse"),
    "query_timeout_ms": (60_000, 60_000),
    "databases": (["sales"], ("sales",)),
    "max_concurrent_queries": ("7", 7),
    "credential_source": ("Default AWS credential chain", "Default AWS credential chain"),
    "session_token": (" IQoJb3JpZ2luX2Vj-token ", "IQoJb3JpZ2luX2Vj-token"),
    "role_arn": ("arn:aws:iam::123456789012:role/Skoot", "arn:aws:iam::123456789012:role/Skoot"),
    "external_id": ("tenant-42", "tenant-42"),
}
# What a valid value of these fields needs beside it: the chain without keys, a token with a temporary key, a role.
VALID_WITH: dict[str, dict[str, Any]] = {
    "credential_source": {"access_key_id": "", "secret_access_key": ""},
    "session_token": {"access_key_id": "ASIAZZZZZZZZZZZZZZZZ"},
    "external_id": {"role_arn": "arn:aws:iam::123456789012:role/Skoot"},
}
BAD_VALUES: dict[str, Any] = {
    "connection_name": " ",
    "aws_region": "Mumbai",
    "access_key_id": "short",
    "secret_access_key": "",
    "workgroup": 5,
    "catalog": "a\tb",
    "query_timeout_ms": "soon",
    "databases": {"name": "sales"},
    "max_concurrent_queries": -1,
    "credential_source": "Password",
    "session_token": "IQoJb3JpZ2luX2Vj-token",  # with GOOD's long-term AKIA key, which takes no session token
    "role_arn": "SkootRole",
    "external_id": "tenant-42",  # without a role
}


def test_every_form_field_has_a_parser_that_fills_the_config() -> None:
    assert set(CONFIG_ATTRIBUTE) == set(SPEC_FORM) == set(VALID_VALUES) == set(BAD_VALUES)
    assert set(CONFIG_ATTRIBUTE.values()) == {f.name for f in dataclasses.fields(Config)}
    for key, (raw_value, parsed) in VALID_VALUES.items():
        config = parse_config({**GOOD, **VALID_WITH.get(key, {}), key: raw_value})
        assert getattr(config, CONFIG_ATTRIBUTE[key]) == parsed, key


@pytest.mark.parametrize("key", sorted(SPEC_FORM))
def test_errors_use_the_specs_title(key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({**GOOD, key: BAD_VALUES[key]})
    assert f"'{SPEC_FORM[key]['title']}' ({key})" in (error.value.message or "")


@pytest.mark.parametrize("key", [k for k, f in SPEC_FORM.items() if "default" in f])
def test_an_omitted_field_takes_the_specs_default(key: str) -> None:
    config = parse_config({k: v for k, v in GOOD.items() if k != key})
    assert getattr(config, CONFIG_ATTRIBUTE[key]) == SPEC_FORM[key]["default"]


@pytest.mark.parametrize("key", [k for k, f in SPEC_FORM.items() if f["type"] == "integer"])
def test_integer_limits_are_the_specs(key: str) -> None:
    low, high = SPEC_FORM[key]["minimum"], SPEC_FORM[key]["maximum"]
    assert getattr(parse_config({**GOOD, key: low}), key) == low
    assert getattr(parse_config({**GOOD, key: high}), key) == high
    for outside in (low - 1, high + 1):
        with pytest.raises(ConfigError, match=f"between {low} and {high}"):
            parse_config({**GOOD, key: outside})


# Region and role ARN have patterns that a run of "A" cannot match.
@pytest.mark.parametrize(
    "key", [k for k, f in SPEC_FORM.items() if "maxLength" in f and k not in ("aws_region", "role_arn")]
)
def test_text_length_limits_are_the_specs(key: str) -> None:
    longest = "A" * SPEC_FORM[key]["maxLength"]
    config = parse_config({**GOOD, **VALID_WITH.get(key, {}), key: longest})
    assert getattr(config, CONFIG_ATTRIBUTE[key]) == longest
    with pytest.raises(ConfigError, match=f"at most {len(longest)}"):
        parse_config({**GOOD, key: longest + "A"})


def test_the_region_limits_are_the_specs() -> None:
    with pytest.raises(ConfigError, match=f"at most {SPEC_FORM['aws_region']['maxLength']}"):
        parse_config({**GOOD, "aws_region": "eu-" + "w" * SPEC_FORM["aws_region"]["maxLength"] + "-1"})
    assert SPEC_FORM["aws_region"]["pattern"] == REGION_PATTERN.pattern


@pytest.mark.parametrize("key", [k for k in SPEC_REQUIRED if "default" not in SPEC_FORM[k]])
def test_a_field_without_default_is_required(key: str) -> None:
    with pytest.raises(ConfigError, match=f"'{SPEC_FORM[key]['title']}'"):
        parse_config({k: v for k, v in GOOD.items() if k != key})


# --- the ways to sign in (README "Credentials") --------------------------------------------------------------------
def test_a_temporary_key_without_its_session_token_names_the_session_token() -> None:
    with pytest.raises(ConfigError, match=r"'Session Token' \(session_token\) is missing: .* ASIA"):
        parse_config({**GOOD, "access_key_id": "ASIAZZZZZZZZZZZZZZZZ"})


def test_the_chain_needs_no_keys_and_refuses_given_ones() -> None:
    chain = {**GOOD, "credential_source": "Default AWS credential chain", "access_key_id": "", "secret_access_key": ""}
    config = parse_config(chain)
    assert config.use_default_chain and config.access_key_id == "" and config.session_token is None
    with pytest.raises(ConfigError, match=r"\(secret_access_key\) must be empty with Credentials"):
        parse_config({**chain, "secret_access_key": "s3cr3t"})


def test_a_role_keeps_its_external_id_out_of_repr() -> None:
    config = parse_config({**GOOD, "role_arn": "arn:aws:iam::123456789012:role/Skoot", "external_id": "tenant-42"})
    assert config.role_arn == "arn:aws:iam::123456789012:role/Skoot" and config.external_id == "tenant-42"
    assert "tenant-42" not in repr(config)
