"""The configured catalog as the `read` verb parses it (configured_catalog.py, no airbyte_cdk): the same objects the
CDK's loader gives, and a config error naming the stream and the field for every malformed field the read uses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from source_skoot_athena.configured_catalog import parse_configured_catalog, read_catalog_file
from source_skoot_athena.errors import ConfigError

CATALOG = json.loads((Path(__file__).parents[1] / "integration_tests" / "configured_catalog.json").read_text())
INCREMENTAL = {
    "streams": [
        {
            "stream": {
                "name": "orders",
                "namespace": "db",
                "json_schema": {"type": "object", "properties": {"id": {"type": ["null", "integer"]}}},
                "supported_sync_modes": ["full_refresh", "incremental"],
                "source_defined_cursor": False,
            },
            "sync_mode": "incremental",
            "destination_sync_mode": "append_dedup",
            "cursor_field": ["id"],
            "primary_key": [["id"]],
        },
        {
            "stream": {"name": "no_namespace", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh",
            "destination_sync_mode": "overwrite",
        },
    ]
}


@pytest.mark.parametrize("raw", [CATALOG, INCREMENTAL])
def test_the_fields_the_read_uses_are_the_cdks(raw: dict[str, Any]) -> None:
    cdk = ConfiguredAirbyteCatalogSerializer.load(raw).streams
    ours = parse_configured_catalog(raw)
    assert len(ours) == len(cdk) > 0
    for mine, theirs in zip(ours, cdk, strict=True):
        assert type(mine) is type(theirs)  # the protocol package's class, which the CDK's catalog holds too
        assert (mine.stream.name, mine.stream.namespace, mine.stream.json_schema) == (
            theirs.stream.name,
            theirs.stream.namespace,
            theirs.stream.json_schema,
        )
        assert (mine.sync_mode, mine.destination_sync_mode, mine.cursor_field) == (
            theirs.sync_mode,
            theirs.destination_sync_mode,
            theirs.cursor_field,
        )
        assert mine.stream.supported_sync_modes == theirs.stream.supported_sync_modes


def broken(path: list[str | int], value: Any) -> dict[str, Any]:
    """INCREMENTAL with one field replaced (or removed, for value ...)."""
    raw = copy.deepcopy(INCREMENTAL)
    node: Any = raw
    for part in path[:-1]:
        node = node[part]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], "'streams' list"),
        ({"streams": {}}, "'streams' list"),
        ({"streams": [5]}, "stream 1 has no 'stream' object"),
        (broken(["streams", 0, "stream", "name"], ...), "stream 1 has no 'stream.name'"),
        (broken(["streams", 0, "stream", "namespace"], 3), "'stream.namespace' must be a string"),
        (broken(["streams", 0, "stream", "json_schema"], []), "stream db.orders: 'stream.json_schema'"),
        (broken(["streams", 0, "stream", "json_schema", "properties"], []), "'stream.json_schema'"),
        (broken(["streams", 0, "stream", "supported_sync_modes"], ...), "'stream.supported_sync_modes'"),
        (broken(["streams", 0, "stream", "supported_sync_modes"], ["sometimes"]), "'sometimes'"),
        (broken(["streams", 1, "sync_mode"], "weekly"), "stream no_namespace: 'sync_mode' must be one of"),
        (broken(["streams", 0, "sync_mode"], ...), "'sync_mode' must be one of 'full_refresh', 'incremental'"),
        (broken(["streams", 0, "destination_sync_mode"], ...), "'destination_sync_mode'"),
        (broken(["streams", 0, "cursor_field"], "id"), "'cursor_field' must be a list of column names"),
        (broken(["streams", 0, "cursor_field"], [1]), "'cursor_field'"),
    ],
)
def test_a_malformed_field_is_a_config_error_naming_it(raw: Any, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configured_catalog(raw)
    assert expected in str(caught.value)


def test_the_file_is_named_in_every_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    for text in ("{not json", '{"streams": 1}'):
        path.write_text(text)
        with pytest.raises(ConfigError, match=f"The configured catalog {path} is not a valid"):
            read_catalog_file(str(path))
    with pytest.raises(ConfigError, match="Run discover again"):
        read_catalog_file(str(tmp_path / "missing.json"))
    path.write_text(json.dumps(INCREMENTAL))
    assert [s.stream.name for s in read_catalog_file(str(path))] == ["orders", "no_namespace"]
