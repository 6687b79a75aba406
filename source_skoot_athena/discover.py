"""TableInfo -> AirbyteStream: exact JSON schemas, sync modes and a cursor suggestion."""

from __future__ import annotations

import logging
from typing import Any

from airbyte_cdk.models import AirbyteCatalog, AirbyteStream, SyncMode

from source_skoot_athena.catalog import DATE_LIKE_PARTITION_NAMES, TableInfo
from source_skoot_athena.types import STRING_KINDS, AthenaType, Kind, contains_unknown, json_schema

# Partition key types that make an obvious cursor; a zoned timestamp is not orderable (types.is_orderable).
TEMPORAL_KINDS = frozenset({Kind.DATE, Kind.TIMESTAMP})


def table_schema(table: TableInfo) -> dict[str, Any]:
    """The stream's JSON schema: one nullable property per column (partition keys included)."""
    properties: dict[str, Any] = {}
    for column in table.columns:
        schema = dict(json_schema(column.type))
        if column.comment:
            schema["description"] = column.comment
        properties[column.name] = schema
    schema_doc: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": properties,
    }
    if table.description:
        schema_doc["description"] = table.description
    return schema_doc


def default_cursor(table: TableInfo) -> list[str] | None:
    """A single date/timestamp partition key (or a date-named string one) is the obvious cursor."""
    keys = table.partition_keys
    if len(keys) != 1:
        return None
    key = keys[0]
    if key.type.kind in TEMPORAL_KINDS or (key.type.kind in STRING_KINDS and _date_like(key.name)):
        return [key.name]
    return None


def _date_like(name: str) -> bool:
    """`dt`, `date`, `release_date`, `event_day`…: a string partition key that holds ISO dates (sortable text)."""
    lowered = name.lower()
    return lowered in DATE_LIKE_PARTITION_NAMES or lowered.endswith(("_date", "_dt", "_day"))


def _unknown_leaves(t: AthenaType) -> list[AthenaType]:
    if t.kind == Kind.UNKNOWN:
        return [t]
    return [leaf for child in t.children for leaf in _unknown_leaves(child)]


def airbyte_stream(table: TableInfo, logger: logging.Logger) -> AirbyteStream:
    """One stream per table/view: namespace = Glue database, name = table; the user picks the cursor."""
    for column in table.columns:
        if contains_unknown(column.type):
            unknown = [leaf.raw for leaf in _unknown_leaves(column.type)]
            where = "" if unknown == [column.type.raw] else f" ({', '.join(repr(u) for u in unknown)} inside)"
            logger.warning(
                f"{table.key}.{column.name}: type '{column.type.raw}'{where} is not known to the "
                "connector; it is described as a string and read as text."
            )
    stream = AirbyteStream(
        name=table.name,
        namespace=table.database,
        json_schema=table_schema(table),
        supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
        source_defined_cursor=False,
        is_resumable=True,
    )
    cursor = default_cursor(table)
    if cursor:
        stream.default_cursor_field = cursor
    return stream


def build_catalog(tables: list[TableInfo], logger: logging.Logger) -> AirbyteCatalog:
    return AirbyteCatalog(streams=[airbyte_stream(table, logger) for table in tables])
