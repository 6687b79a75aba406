"""The connection config, parsed once into a typed object; every error names the form field it concerns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from source_skoot_athena.errors import ConfigError

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$")
MIN_TIMEOUT_MS = 1000
MAX_TIMEOUT_MS = 86_400_000
DEFAULT_TIMEOUT_MS = 1_800_000
DEFAULT_CONCURRENCY = 2
MAX_CONCURRENCY = 20

# Field key -> title shown in the form, so errors speak the user's words.
TITLES = {
    "connection_name": "Connection Name",
    "aws_region": "AWS Region",
    "access_key_id": "Access Key ID",
    "secret_access_key": "Secret Access Key",
    "workgroup": "Workgroup",
    "catalog": "Catalog",
    "query_timeout_ms": "Query Timeout (ms)",
    "databases": "Glue Databases",
    "max_concurrent_queries": "Concurrent Queries",
}


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


def _text(raw: Mapping[str, Any], key: str, *, default: str | None = None, max_length: int = 1024) -> str:
    value = raw.get(key, default)
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


def _integer(raw: Mapping[str, Any], key: str, *, default: int, minimum: int, maximum: int) -> int:
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
    region = _text(raw, "aws_region", max_length=64)
    if not REGION_PATTERN.match(region):
        raise _field_error("aws_region", f"'{region}' is not an AWS Region name (for example ap-south-1).")
    access_key_id = _text(raw, "access_key_id", max_length=128)
    if len(access_key_id) < 16 or not access_key_id.isalnum():
        raise ConfigError(
            "Config field 'Access Key ID' (access_key_id) does not look like an AWS access key ID "
            "(16 to 128 letters and digits, e.g. starting with AKIA): copy it from setup guide Step 3."
        )
    secret = raw.get("secret_access_key")
    if not isinstance(secret, str) or not secret.strip():
        raise _field_error("secret_access_key", "is missing or empty: paste the secret from setup guide Step 3.")
    return Config(
        connection_name=_text(raw, "connection_name", max_length=200),
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret.strip(),
        workgroup=_text(raw, "workgroup", default="primary", max_length=128),
        catalog=_text(raw, "catalog", default="AwsDataCatalog", max_length=256),
        query_timeout_ms=_integer(
            raw, "query_timeout_ms", default=DEFAULT_TIMEOUT_MS, minimum=MIN_TIMEOUT_MS, maximum=MAX_TIMEOUT_MS
        ),
        databases=_databases(raw),
        max_concurrent_queries=_integer(
            raw, "max_concurrent_queries", default=DEFAULT_CONCURRENCY, minimum=1, maximum=MAX_CONCURRENCY
        ),
    )
