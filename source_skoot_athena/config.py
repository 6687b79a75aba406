"""The connection config, parsed once into a typed object; every error names the form field it concerns."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from source_skoot_athena.errors import ConfigError

# spec.json is the one source of the form: its titles, defaults and limits are read from it here.
SPEC: Final[dict[str, Any]] = json.loads(resources.files("source_skoot_athena").joinpath("spec.json").read_text())
FORM: Final[dict[str, dict[str, Any]]] = SPEC["connectionSpecification"]["properties"]
# The seed's seven fields: always required, except the two keys when the default credential chain is chosen
# (the spec's root `else` branch).
REQUIRED: Final = tuple(
    sorted(
        [*SPEC["connectionSpecification"]["required"], *SPEC["connectionSpecification"]["else"]["required"]],
        key=lambda key: int(FORM[key]["order"]),
    )
)
# Field key -> title shown in the form, so errors speak the user's words.
TITLES: Final = {key: str(field["title"]) for key, field in FORM.items()}
# Form field -> the Config attribute it fills (every form field has exactly one).
CONFIG_ATTRIBUTE: Final = {
    "connection_name": "connection_name",
    "aws_region": "region",
    "access_key_id": "access_key_id",
    "secret_access_key": "secret_access_key",
    "workgroup": "workgroup",
    "catalog": "catalog",
    "query_timeout_ms": "query_timeout_ms",
    "databases": "databases",
    "max_concurrent_queries": "max_concurrent_queries",
    "credential_source": "credential_source",
    "session_token": "session_token",
    "role_arn": "role_arn",
    "external_id": "external_id",
}

REGION_PATTERN: Final = re.compile(FORM["aws_region"]["pattern"])
ACCESS_KEY_MIN_LENGTH: Final = int(FORM["access_key_id"]["minLength"])
DEFAULT_TIMEOUT_MS: Final = int(FORM["query_timeout_ms"]["default"])
DEFAULT_CONCURRENCY: Final = int(FORM["max_concurrent_queries"]["default"])
ACCESS_KEYS, DEFAULT_CHAIN = (str(value) for value in FORM["credential_source"]["enum"])
ROLE_ARN_PATTERN: Final = re.compile(FORM["role_arn"]["pattern"])
EXTERNAL_ID_PATTERN: Final = re.compile(FORM["external_id"]["pattern"])
# IAM's unique-ID prefixes: AKIA = an IAM user's long-term key, ASIA = temporary keys from STS, which only work
# with their session token (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes).
TEMPORARY_KEY_PREFIX: Final = "ASIA"


@dataclass(frozen=True)
class Config:
    """What the connector needs from the form; secrets are kept out of repr()."""

    connection_name: str
    region: str
    access_key_id: str
    secret_access_key: str
    workgroup: str
    catalog: str
    query_timeout_ms: int
    databases: tuple[str, ...] = ()
    max_concurrent_queries: int = DEFAULT_CONCURRENCY
    credential_source: str = ACCESS_KEYS
    session_token: str | None = None
    role_arn: str | None = None
    external_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"Config(connection_name={self.connection_name!r}, region={self.region!r}, "
            f"workgroup={self.workgroup!r}, catalog={self.catalog!r}, query_timeout_ms={self.query_timeout_ms}, "
            f"databases={self.databases!r}, max_concurrent_queries={self.max_concurrent_queries}, "
            f"credential_source={self.credential_source!r}, role_arn={self.role_arn!r})"
        )

    @property
    def use_default_chain(self) -> bool:
        """Sign in with the machine's credentials (no keys in the form)."""
        return self.credential_source == DEFAULT_CHAIN

    __str__ = __repr__


def _field_error(key: str, problem: str) -> ConfigError:
    return ConfigError(f"Config field '{TITLES.get(key, key)}' ({key}) {problem}")


def _text(raw: Mapping[str, Any], key: str) -> str:
    """A text field, trimmed; its default and maximum length are the spec's."""
    value = raw.get(key, FORM[key].get("default"))
    max_length = int(FORM[key]["maxLength"])
    if value is None:
        raise _field_error(key, "is missing: fill it in the connection form.")
    if not isinstance(value, str):
        raise _field_error(key, f"must be text, got {type(value).__name__}.")
    value = value.strip()
    if not value:
        raise _field_error(key, "is empty: fill it in the connection form.")
    if len(value) > max_length:
        raise _field_error(key, f"is too long ({len(value)} characters, at most {max_length}).")
    if any(ord(ch) < 32 for ch in value):
        raise _field_error(key, "contains control characters (a pasted newline or tab?).")
    return value


def _integer(raw: Mapping[str, Any], key: str) -> int:
    """A whole-number field (a digit string is accepted); its default and bounds are the spec's."""
    field = FORM[key]
    default, minimum, maximum = int(field["default"]), int(field["minimum"]), int(field["maximum"])
    value = raw.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise _field_error(key, f"must be a whole number, got {type(value).__name__}.")
    if value < minimum or value > maximum:
        raise _field_error(key, f"must be between {minimum} and {maximum}, got {value}.")
    return value


def _databases(raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = raw.get("databases")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _field_error("databases", "must be a list of Glue database names.")
    names = [item.strip() for item in value if item.strip()]
    if len(set(names)) != len(names):
        raise _field_error("databases", "lists a database twice.")
    return tuple(names)


def _access_keys(raw: Mapping[str, Any]) -> tuple[str, str]:
    """The seed's Access Key ID and Secret Access Key (both required in the 'Access keys' mode)."""
    access_key_id = _text(raw, "access_key_id")
    if len(access_key_id) < ACCESS_KEY_MIN_LENGTH or not access_key_id.isalnum():
        raise _field_error(
            "access_key_id",
            f"does not look like an AWS access key ID ({ACCESS_KEY_MIN_LENGTH} to {FORM['access_key_id']['maxLength']} "
            "letters and digits, e.g. starting with AKIA): copy it from setup guide Step 3.",
        )
    secret = raw.get("secret_access_key")
    if not isinstance(secret, str) or not secret.strip():
        raise _field_error("secret_access_key", "is missing or empty: paste the secret from setup guide Step 3.")
    return access_key_id, secret.strip()


def _optional_text(raw: Mapping[str, Any], key: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """An optional text field: absent or blank is None; a value must match the spec's pattern (if any)."""
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise _field_error(key, f"must be text, got {type(value).__name__}.")
    max_length = FORM[key].get("maxLength")
    if max_length is not None and len(value.strip()) > int(max_length):
        raise _field_error(key, f"is too long ({len(value.strip())} characters, at most {max_length}).")
    if pattern is not None and not pattern.match(value.strip()):
        example = FORM[key].get("examples", [""])[0]
        raise _field_error(
            key, f"is not valid{f' (for example {example})' if example else ''}: {FORM[key]['description']}"
        )
    return value.strip()


def _key_pair(raw: Mapping[str, Any], session_token: str | None) -> tuple[str, str]:
    """Access keys, with a session token exactly when they are temporary (ASIA…)."""
    access_key_id, secret = _access_keys(raw)
    temporary = access_key_id.startswith(TEMPORARY_KEY_PREFIX)
    if temporary and session_token is None:
        raise _field_error(
            "session_token",
            "is missing: the Access Key ID starts with ASIA, so it is a temporary key, which AWS accepts only with the "
            "session token issued with it. Paste that token, or use an IAM user's key (AKIA…, setup guide Step 3).",
        )
    if session_token is not None and not temporary:
        raise _field_error(
            "session_token",
            "must be empty with a long-term key: AWS rejects a session token sent with an IAM user's key (AKIA…). "
            "Clear Session Token, or paste the temporary key (ASIA…) it was issued with.",
        )
    return access_key_id, secret


def _credentials(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The Config fields of the three ways to sign in: access keys (+ session token), or the default chain;
    either optionally followed by assuming an IAM role."""
    source = raw.get("credential_source") or ACCESS_KEYS
    if source not in (ACCESS_KEYS, DEFAULT_CHAIN):
        raise _field_error("credential_source", f"must be '{ACCESS_KEYS}' or '{DEFAULT_CHAIN}', got {source!r}.")
    session_token = _optional_text(raw, "session_token")
    role_arn = _optional_text(raw, "role_arn", ROLE_ARN_PATTERN)
    external_id = _optional_text(raw, "external_id", EXTERNAL_ID_PATTERN)
    if external_id is not None and role_arn is None:
        raise _field_error("external_id", "is set without an IAM Role ARN (role_arn): fill in the role, or clear it.")
    fields = {"session_token": session_token, "role_arn": role_arn, "external_id": external_id}
    if source == ACCESS_KEYS:
        access_key_id, secret = _key_pair(raw, session_token)
        return {**fields, "access_key_id": access_key_id, "secret_access_key": secret}
    given = [key for key in ("access_key_id", "secret_access_key", "session_token") if _optional_text(raw, key)]
    if given:
        raise _field_error(
            given[0],
            f"must be empty with Credentials '{DEFAULT_CHAIN}' (the chain finds its own keys): clear it, or choose "
            f"'{ACCESS_KEYS}'.",
        )
    return {**fields, "access_key_id": "", "secret_access_key": "", "credential_source": DEFAULT_CHAIN}


def parse_config(raw: Any) -> Config:
    """Validate the raw config dict; raise ConfigError naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise ConfigError("The config must be a JSON object with the connection form's fields.")
    region = _text(raw, "aws_region")
    if not REGION_PATTERN.match(region):
        raise _field_error("aws_region", f"'{region}' is not an AWS Region name (for example ap-south-1).")
    keys = _credentials(raw)
    return Config(
        connection_name=_text(raw, "connection_name"),
        region=region,
        **keys,
        workgroup=_text(raw, "workgroup"),
        catalog=_text(raw, "catalog"),
        query_timeout_ms=_integer(raw, "query_timeout_ms"),
        databases=_databases(raw),
        max_concurrent_queries=_integer(raw, "max_concurrent_queries"),
    )
