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
REQUIRED: Final = tuple(SPEC["connectionSpecification"]["required"])
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
}

REGION_PATTERN: Final = re.compile(FORM["aws_region"]["pattern"])
ACCESS_KEY_MIN_LENGTH: Final = int(FORM["access_key_id"]["minLength"])
DEFAULT_TIMEOUT_MS: Final = int(FORM["query_timeout_ms"]["default"])
DEFAULT_CONCURRENCY: Final = int(FORM["max_concurrent_queries"]["default"])


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

    def __repr__(self) -> str:
        return (
            f"Config(connection_name={self.connection_name!r}, region={self.region!r}, "
            f"workgroup={self.workgroup!r}, catalog={self.catalog!r}, query_timeout_ms={self.query_timeout_ms}, "
            f"databases={self.databases!r}, max_concurrent_queries={self.max_concurrent_queries})"
        )

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


def parse_config(raw: Any) -> Config:
    """Validate the raw config dict; raise ConfigError naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise ConfigError("The config must be a JSON object with the connection form's fields.")
    region = _text(raw, "aws_region")
    if not REGION_PATTERN.match(region):
        raise _field_error("aws_region", f"'{region}' is not an AWS Region name (for example ap-south-1).")
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
    return Config(
        connection_name=_text(raw, "connection_name"),
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret.strip(),
        workgroup=_text(raw, "workgroup"),
        catalog=_text(raw, "catalog"),
        query_timeout_ms=_integer(raw, "query_timeout_ms"),
        databases=_databases(raw),
        max_concurrent_queries=_integer(raw, "max_concurrent_queries"),
    )
