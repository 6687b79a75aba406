"""The `--config` file, read as the CDK reads it (a JSON object) but without importing airbyte_cdk.

Unreadable or not a JSON object is a config error naming the file, never a traceback.
"""

from __future__ import annotations

from typing import Any

import orjson

from source_skoot_athena.errors import ConfigError


def read_config_file(path: str) -> dict[str, Any]:
    """The config file's object (the connection's fields)."""
    try:
        with open(path, "rb") as fh:
            config = orjson.loads(fh.read())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(f"The config file {path} could not be read as JSON: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"The config file {path} must hold a JSON object with the connection's fields.")
    return config
