"""A table stream: which columns it reads, its slices (partition groups or the whole table), its cursor range,
and the SQL of each slice.

Slicing rules:
- a table with registered Glue partitions is read a group of partitions at a time, in partition order, with a
  STATE after each group, so a killed sync (full refresh too) resumes at the next group;
- a cursor that is a partition key lists only partitions at or past the saved cursor (bytes scanned follow the
  new data), and the cursor advances with each group;
- any other cursor is read as `cursor >= saved AND cursor <= upper`, the upper bound fixed when the stream starts
  (`SELECT max(cursor)`), so rows landing during the sync are picked up next time and none present is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from airbyte_cdk.models import ConfiguredAirbyteStream, SyncMode

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.partitions import Partition, list_partitions, sort_key
from source_skoot_athena.sql import (
    equals_condition,
    leading_comment,
    literal,
    qualified_table,
    quote_identifier,
    select_statement,
)
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.types import is_orderable, select_expression

PARTITIONS_PER_SLICE = 20


@dataclass(frozen=True)
class Slice:
    """One query's worth of a stream, and the state to save once its records are written."""

    index: int
    partitions: tuple[Partition, ...] | None
    cursor_range: tuple[str | None, str | None] | None
    state_after: StreamState


@dataclass
class StreamPlan:
    """Everything needed to read one configured stream."""

    key: StreamKey
    table: TableInfo
    columns: list[Column]
    slices: list[Slice]
    final_state: StreamState
    cursor: Column | None
    row_estimate: int | None = None
    byte_estimate: int | None = None

    @property
    def label(self) -> str:
        return f"{self.table.database}.{self.table.name}"


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
            f"{table.database}.{table.name}: selected columns no longer in Glue are left out: {', '.join(missing)}. "
            "Refresh the source schema in Airbyte."
        )
    columns = [c for c in table.columns if c.name in wanted]
    if not columns:
        raise ConfigError(
            f"Stream {table.database}.{table.name} has no column selected that exists in the table: select at "
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
            f"Stream {table.database}.{table.name} is incremental but has no cursor field: pick a cursor column "
            "(a date, timestamp, integer, decimal or string column) in the connection's stream settings."
        )
    if len(field_path) != 1:
        raise ConfigError(
            f"Stream {table.database}.{table.name}: the cursor must be a top-level column, got {field_path}."
        )
    column = table.column(field_path[0])
    if column is None:
        raise ConfigError(f"Stream {table.database}.{table.name}: cursor column '{field_path[0]}' does not exist.")
    if not is_orderable(column.type):
        raise ConfigError(
            f"Stream {table.database}.{table.name}: cursor column '{column.name}' has type {column.type.raw}, which "
            "cannot be a cursor; pick a date, timestamp, integer, decimal or string column."
        )
    return column


def _cursor_literal(column: Column, text: str, stream: str) -> str:
    try:
        return literal(text, column.type.athena_sql_name(), column.type.kind)
    except ValueError as exc:
        raise ConfigError(
            f"The saved state of stream '{stream}' holds cursor value {text!r}, which is not a value of column "
            f"'{column.name}' ({column.type.raw}): reset the stream's state. ({exc})"
        ) from None


def _saved_for_cursor(saved: StreamState, cursor: Column | None, stream: str, logger: logging.Logger) -> StreamState:
    """The saved state if it is for this cursor; a changed cursor column starts fresh, a changed type is an error."""
    if cursor is None:
        return StreamState(resume_after=saved.resume_after) if saved.cursor_field is None else StreamState()
    if saved.cursor_field is None:
        return StreamState(cursor_field=cursor.name, cursor_type=cursor.type.raw)
    if saved.cursor_field != cursor.name:
        logger.warning(
            f"Stream {stream}: the cursor changed from '{saved.cursor_field}' to '{cursor.name}'; "
            "reading from the start."
        )
        return StreamState(cursor_field=cursor.name, cursor_type=cursor.type.raw)
    if saved.cursor_type and saved.cursor_type.lower() != cursor.type.raw.lower():
        raise ConfigError(
            f"The saved state of stream '{stream}' is for a cursor of type {saved.cursor_type}, but column "
            f"'{cursor.name}' is now {cursor.type.raw}: reset the stream's state."
        )
    if saved.cursor is not None:
        _cursor_literal(cursor, saved.cursor, stream)
    if saved.pending_cursor is not None:
        _cursor_literal(cursor, saved.pending_cursor, stream)
    return replace(saved, cursor_type=cursor.type.raw)


def _groups(partitions: list[Partition]) -> list[tuple[Partition, ...]]:
    return [tuple(partitions[i : i + PARTITIONS_PER_SLICE]) for i in range(0, len(partitions), PARTITIONS_PER_SLICE)]


def _estimate(partitions: list[Partition] | None, table: TableInfo) -> tuple[int | None, int | None]:
    if partitions:
        rows = [p.record_count for p in partitions]
        sizes = [p.size_bytes for p in partitions]
        return (
            sum(r for r in rows if r is not None) if any(r is not None for r in rows) else None,
            sum(s for s in sizes if s is not None) if any(s is not None for s in sizes) else None,
        )
    params = table.parameters
    rows_text, size_text = params.get("recordCount", ""), params.get("totalSize", params.get("sizeKey", ""))
    return (int(rows_text) if rows_text.isdigit() else None, int(size_text) if size_text.isdigit() else None)


class StreamPlanner:
    """Turns a configured stream + its Glue table + its saved state into a StreamPlan."""

    def __init__(self, config: Config, clients: AwsClients, runner: QueryRunner, logger: logging.Logger) -> None:
        self._config = config
        self._clients = clients
        self._runner = runner
        self._logger = logger

    def plan(self, configured: ConfiguredAirbyteStream, table: TableInfo, saved: StreamState) -> StreamPlan:
        key = StreamKey(configured.stream.namespace, configured.stream.name)
        label = f"{table.database}.{table.name}"
        columns = selected_columns(configured, table, self._logger)
        cursor = cursor_column(configured, table)
        state = _saved_for_cursor(saved, cursor, label, self._logger)
        partitioned = bool(table.partition_keys) and not table.uses_projection and not table.is_view
        if partitioned:
            return self._plan_partitioned(key, table, columns, cursor, state)
        return self._plan_whole(key, table, columns, cursor, state)

    # -- whole table: one slice -----------------------------------------------------------------------------
    def _plan_whole(
        self, key: StreamKey, table: TableInfo, columns: list[Column], cursor: Column | None, state: StreamState
    ) -> StreamPlan:
        rows, size = _estimate(None, table)
        if cursor is None:
            only = Slice(0, None, None, StreamState())
            return StreamPlan(key, table, columns, [only], StreamState(), None, rows, size)
        upper = self._upper_bound(table, cursor, state.cursor)
        if upper is None:
            self._logger.info(f"{table.database}.{table.name}: no rows at or past cursor {state.cursor!r}.")
            return StreamPlan(key, table, columns, [], state, cursor, 0, 0)
        final = replace(state, cursor=upper, pending_cursor=None, resume_after=None)
        only = Slice(0, None, (state.cursor, upper), final)
        if state.cursor is not None:  # the table's statistics would overstate what is past the cursor
            rows = size = None
        return StreamPlan(key, table, columns, [only], final, cursor, rows, size)

    def _upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        """`SELECT max(cursor)` at the stream's start: the fixed upper bound of this sync."""
        quoted = quote_identifier(cursor.name)
        conditions = [f"{quoted} >= {_cursor_literal(cursor, lower, table.name)}"] if lower is not None else []
        sql = select_statement(
            leading_comment(self._config.connection_name, f"cursor bound of {table.database}.{table.name}"),
            # Cast in SQL: the engine's own text of the column's real type (µs for timestamp(6)/Iceberg, every
            # decimal digit), not the result renderer's (which may cut a timestamp to ms and lose the bound).
            [f"CAST(max({quoted}) AS varchar)"],
            qualified_table(self._config.catalog, table.database, table.name),
            conditions,
        )
        return self._runner.scalar(sql)

    # -- partitioned: groups of partitions ------------------------------------------------------------------
    def _plan_partitioned(
        self, key: StreamKey, table: TableInfo, columns: list[Column], cursor: Column | None, state: StreamState
    ) -> StreamPlan:
        keys = table.partition_keys
        cursor_is_key = cursor is not None and any(k.name == cursor.name for k in keys)
        if cursor is not None and cursor_is_key:
            position = [k.name for k in keys].index(cursor.name)
            # Ordered by the cursor key first, so advancing the cursor after each group never skips a partition.
            partitions = sorted(
                list_partitions(self._clients, table, cursor_key=cursor, lower=state.cursor),
                key=lambda p: sort_key(cursor, p.values[position]),
            )
            rows, size = _estimate(partitions, table)
            slices: list[Slice] = []
            current = state
            for index, group in enumerate(_groups(partitions)):
                values = [p.values[position] for p in group if p.values[position] is not None]
                if values:
                    current = replace(current, cursor=max(values, key=lambda v: sort_key(cursor, v)))
                slices.append(Slice(index, group, None, current))
            final = replace(current, pending_cursor=None, resume_after=None)
            return StreamPlan(key, table, columns, slices, final, cursor, rows, size)

        partitions = list_partitions(self._clients, table)
        if state.resume_after is not None:
            done = tuple(state.resume_after)
            partitions = [p for p in partitions if self._after(keys, p.values, done)]
            self._logger.info(
                f"{table.database}.{table.name}: resuming an unfinished sync after partition {list(done)} "
                f"({len(partitions)} partitions left)."
            )
        rows, size = _estimate(partitions, table)
        cursor_range: tuple[str | None, str | None] | None = None
        base = StreamState()
        if cursor is not None:
            upper = state.pending_cursor or self._upper_bound(table, cursor, state.cursor)
            if upper is None:
                return StreamPlan(key, table, columns, [], state, cursor, 0, 0)
            cursor_range = (state.cursor, upper)
            base = replace(state, pending_cursor=upper)
            if state.cursor is not None:  # the partitions' statistics would overstate what is past the cursor
                rows = size = None
        groups = _groups(partitions)
        slices = []
        for index, group in enumerate(groups):
            last = index == len(groups) - 1
            if last:
                after = (
                    replace(base, cursor=cursor_range[1], pending_cursor=None, resume_after=None)
                    if cursor_range
                    else StreamState()
                )
            else:
                after = replace(base, resume_after=list(group[-1].values))
            slices.append(Slice(index, group, cursor_range, after))
        final = (
            replace(base, cursor=cursor_range[1], pending_cursor=None, resume_after=None)
            if cursor_range
            else StreamState()
        )
        return StreamPlan(key, table, columns, slices, final, cursor, rows, size)

    @staticmethod
    def _after(keys: tuple[Column, ...], values: tuple[str | None, ...], done: tuple[str | None, ...]) -> bool:
        return tuple(sort_key(k, v) for k, v in zip(keys, values, strict=False)) > tuple(
            sort_key(k, v) for k, v in zip(keys, done, strict=False)
        )

    # -- SQL ------------------------------------------------------------------------------------------------
    def select_sql(self, plan: StreamPlan, piece: Slice, path: str) -> str:
        """The slice's SELECT: selected columns (aliased c0, c1, … by position), partition and cursor filters."""
        select_list = [
            f"{select_expression(quote_identifier(column.name), column.type, path)} AS {quote_identifier(f'c{i}')}"
            for i, column in enumerate(plan.columns)
        ]
        conditions: list[str] = []
        if piece.partitions is not None:
            keys = plan.table.partition_keys
            alternatives = [
                " AND ".join(
                    equals_condition(quote_identifier(k.name), v, k.type.athena_sql_name(), k.type.kind)
                    for k, v in zip(keys, partition.values, strict=False)
                )
                for partition in piece.partitions
            ]
            conditions.append(" OR ".join(f"({a})" for a in alternatives))
        if piece.cursor_range is not None and plan.cursor is not None:
            lower, upper = piece.cursor_range
            quoted = quote_identifier(plan.cursor.name)
            if lower is not None:
                conditions.append(f"{quoted} >= {_cursor_literal(plan.cursor, lower, plan.label)}")
            if upper is not None:
                bounded = f"{quoted} <= {_cursor_literal(plan.cursor, upper, plan.label)}"
                # The first sync also takes the rows whose cursor is NULL: no later bound can select them.
                conditions.append(bounded if lower is not None else f"({bounded} OR {quoted} IS NULL)")
        return select_statement(
            leading_comment(self._config.connection_name, f"read {plan.label}"),
            select_list,
            qualified_table(self._config.catalog, plan.table.database, plan.table.name),
            conditions,
        )
