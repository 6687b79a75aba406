"""The configured catalog (`read --catalog`), parsed with orjson into the protocol's dataclasses — no airbyte_cdk.

Why: the CDK's loader lives behind `import airbyte_cdk` (protocol.py says why `read` avoids it). The objects are
`airbyte_protocol_dataclasses.models` ones, the very classes the CDK's ConfiguredAirbyteCatalog holds, so the CDK
path (source.py) and this one hand the read the same thing. Every field the protocol requires is checked here,
and a malformed one is a config error naming the stream and the field.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import orjson
from airbyte_protocol_dataclasses.models import (
    AirbyteStream,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
)

from source_skoot_athena.errors import ConfigError

RUN_DISCOVER = "Run discover again and configure the streams from its catalog."
E = TypeVar("E", bound=Enum)


def read_catalog_file(path: str) -> list[ConfiguredAirbyteStream]:
    """The `--catalog` file's streams; unreadable or malformed is a config error naming the file."""
    try:
        with open(path, "rb") as fh:
            raw = orjson.loads(fh.read())
        return parse_configured_catalog(raw)
    except (OSError, orjson.JSONDecodeError, ConfigError) as exc:
        raise ConfigError(
            f"The configured catalog {path} is not a valid Airbyte ConfiguredAirbyteCatalog: {exc}. {RUN_DISCOVER}"
        ) from None


def parse_configured_catalog(raw: Any) -> list[ConfiguredAirbyteStream]:
    """A decoded ConfiguredAirbyteCatalog's streams, in order."""
    streams = raw.get("streams") if isinstance(raw, dict) else None
    if not isinstance(streams, list):
        raise ConfigError("it must be an object with a 'streams' list")
    return [_configured_stream(item, index) for index, item in enumerate(streams, start=1)]


def _configured_stream(item: Any, index: int) -> ConfiguredAirbyteStream:
    stream = item.get("stream") if isinstance(item, dict) else None
    if not isinstance(stream, dict):
        raise ConfigError(f"stream {index} has no 'stream' object")
    name = stream.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"stream {index} has no 'stream.name'")
    namespace = stream.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise ConfigError(f"stream {index} ({name}): 'stream.namespace' must be a string, got {namespace!r}")
    where = f"stream {namespace}.{name}" if namespace else f"stream {name}"
    schema = stream.get("json_schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        raise ConfigError(f"{where}: 'stream.json_schema' must be a JSON schema object")
    supported = stream.get("supported_sync_modes")
    if not isinstance(supported, list) or not supported:
        raise ConfigError(f"{where}: 'stream.supported_sync_modes' must be a non-empty list")
    assert isinstance(item, dict)
    return ConfiguredAirbyteStream(
        stream=AirbyteStream(
            name=name,
            namespace=namespace,
            json_schema=schema,
            supported_sync_modes=[_member(SyncMode, mode, where, "stream.supported_sync_modes") for mode in supported],
        ),
        sync_mode=_member(SyncMode, item.get("sync_mode"), where, "sync_mode"),
        destination_sync_mode=_member(
            DestinationSyncMode, item.get("destination_sync_mode"), where, "destination_sync_mode"
        ),
        cursor_field=_cursor_field(item.get("cursor_field"), where),
    )


def _member(kind: type[E], value: Any, where: str, key: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise ConfigError(f"{where}: '{key}' must be one of {allowed}, got {value!r}") from None


def _cursor_field(value: Any, where: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
        raise ConfigError(f"{where}: 'cursor_field' must be a list of column names, got {value!r}")
    return list(value)
