"""What a configured stream reads of its Glue table: the selected columns, the cursor, and whether (and how) the
table can be read at all. Each failure is a config error naming the stream, before any query runs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.protocol import ConfiguredAirbyteStream, SyncMode
from source_skoot_athena.types import is_orderable


def selected_columns(configured: ConfiguredAirbyteStream, table: TableInfo, logger: logging.Logger) -> list[Column]:
    """The table's columns that the configured catalog selects, in table order (all when no properties given)."""
    schema: Mapping[str, Any] = configured.stream.json_schema or {}
    properties = schema.get("properties")
    if properties is None:
        return list(table.columns)
    wanted = set(properties)
    missing = sorted(wanted - {c.name for c in table.columns})
    if missing:
        logger.warning(
            f"{table.key}: selected columns no longer in Glue are left out: {', '.join(missing)}. "
            "Refresh the source schema in Airbyte."
        )
    columns = [c for c in table.columns if c.name in wanted]
    if not columns:
        raise ConfigError(
            f"Stream {table.key} has no column selected that exists in the table: select at "
            "least one column (or refresh the source schema)."
        )
    return columns


def cursor_column(configured: ConfiguredAirbyteStream, table: TableInfo) -> Column | None:
    """The incremental cursor the user picked: a top-level column whose type orders."""
    if configured.sync_mode != SyncMode.incremental:
        return None
    field_path = list(configured.cursor_field or [])
    if not field_path:
        raise ConfigError(
            f"Stream {table.key} is incremental but has no cursor field: pick a cursor column "
            "(a date, timestamp, number or string column) in the connection's stream settings."
        )
    if len(field_path) != 1:
        raise ConfigError(f"Stream {table.key}: the cursor must be a top-level column, got {field_path}.")
    column = table.column(field_path[0])
    if column is None:
        raise ConfigError(f"Stream {table.key}: cursor column '{field_path[0]}' does not exist.")
    if not is_orderable(column.type):
        raise ConfigError(
            f"Stream {table.key}: cursor column '{column.name}' has type {column.type.raw}, which "
            "cannot be a cursor; pick a date, timestamp, number or string column."
        )
    return column


def refuse_unreadable(table: TableInfo) -> None:
    """A stream configured before its table became one discover leaves out fails here, with the reason, instead
    of with Athena's error (or, worse, a partial read)."""
    reason = table.left_out or (
        "it is a Delta Lake table whose Glue schema is Spark's placeholder (col array<string>)"
        if table.is_delta_placeholder
        else None
    )
    if reason:
        raise ConfigError(f"Stream {table.key} cannot be read: {reason}")


def plans_from_glue_partitions(table: TableInfo) -> bool:
    """Whether the table is read by its Glue partitions: not a view, not projected, and not a Delta or Iceberg
    table, whose partitions Glue does not hold (an empty GetPartitions must never make a stream COMPLETE)."""
    return bool(table.partition_keys) and table.partitions_in_glue and not table.uses_projection and not table.is_view
