"""The config's secret values, masked as `****` in every log line and error a run writes.

Why our own: the CDK's filter (airbyte_cdk/utils/airbyte_secrets_utils.py) lives behind `import airbyte_cdk`,
which the `read` verb does not pay for. Same behaviour: the secrets are the config values at every path whose
spec property says `airbyte_secret: true` (nested `properties` and `oneOf` included); each is replaced in the
text, in order. The list is process-wide, as the CDK's is, because log formatters and exceptions are made far
from the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_secrets: list[str] = []


def secret_paths(schema: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths (property names, `properties` and `oneOf` levels left out) to every `airbyte_secret: true`."""
    if isinstance(schema, dict):
        found: list[tuple[str, ...]] = []
        for key, value in schema.items():
            if key == "airbyte_secret" and value is True:
                found.append(tuple(p for p in path if p not in ("properties", "oneOf")))
            else:
                found.extend(secret_paths(value, (*path, key)))
        return found
    if isinstance(schema, list):
        return [p for item in schema for p in secret_paths(item, path)]
    return []


def secret_values(connection_specification: Mapping[str, Any], config: Mapping[str, Any]) -> list[Any]:
    """The config's values at the spec's secret paths (a path the config does not have is skipped)."""
    values: list[Any] = []
    for path in secret_paths(connection_specification.get("properties", {})):
        node: Any = config
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
            if node is None:
                break
        if node is not None and path:
            values.append(node)
    return values


def use_secrets(values: list[Any]) -> None:
    """Make `values` the secrets masked from now on (the CDK's `update_secrets`)."""
    _secrets[:] = [str(v) for v in values if v]


def filter_secrets(text: str) -> str:
    """`text` with every secret replaced by `****`."""
    for secret in _secrets:
        text = text.replace(secret, "****")
    return text
