"""A stream's cursor range: the saved cursor checked against the column, the state once every slice is read, and
the `SELECT max(cursor)` that fixes a sync's upper bound when the stream starts."""

from __future__ import annotations

import logging
from dataclasses import replace

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.sql import leading_comment, literal, qualified_table, select_statement
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream_plan import FULL_REFRESH_COMPLETE, ScalarQuery


def cursor_literal(column: Column, text: str, stream: str) -> str:
    try:
        return literal(text, column.type.athena_sql_name(), column.type.kind)
    except ValueError as exc:
        raise ConfigError(
            f"The saved state of stream '{stream}' holds cursor value {text!r}, which is not a value of column "
            f"'{column.name}' ({column.type.raw}): reset the stream's state. ({exc})"
        ) from None


def saved_for_cursor(saved: StreamState, cursor: Column | None, stream: str, logger: logging.Logger) -> StreamState:
    """The saved state if it is for this cursor; a changed cursor column starts fresh, a changed type is an error."""
    if cursor is None:
        if saved.cursor_field is not None:
            return StreamState()
        return StreamState(
            resume_after=saved.resume_after,
            resume_after_file=saved.resume_after_file,
            table_version=saved.table_version,
        )
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
        cursor_literal(cursor, saved.cursor, stream)
    if saved.pending_cursor is not None:
        cursor_literal(cursor, saved.pending_cursor, stream)
    return replace(saved, cursor_type=cursor.type.raw)


def final_state(state: StreamState, cursor: Column | None, upper: str | None) -> StreamState:
    """The state once every slice is read: the cursor at this sync's upper bound and no progress of an unfinished
    sync; a full refresh ends with the terminal state that keeps a retry of the same job from reading it again."""
    if cursor is None:
        return FULL_REFRESH_COMPLETE
    return replace(
        state, cursor=upper, pending_cursor=None, resume_after=None, resume_after_file=None, table_version=None
    )


def cursor_bound_sql(config: Config, table: TableInfo, cursor: Column, lower: str | None) -> str:
    """`SELECT max(cursor)` (at or past `lower`), cast to text in SQL.

    Cast in SQL: the engine's own text of the column's real type (µs for timestamp(6)/Iceberg, every decimal
    digit), not the result renderer's (which may cut a timestamp to ms and lose the bound).
    """
    quoted = cursor.sql_reference
    conditions = [f"{quoted} >= {cursor_literal(cursor, lower, table.name)}"] if lower is not None else []
    return select_statement(
        leading_comment(config.connection_name, f"cursor bound of {table.key}"),
        [f"CAST(max({quoted}) AS varchar)"],
        qualified_table(config.catalog, table.database, table.name),
        conditions,
    )


class QueryCursorBound:
    """The planner's cursor bound (CursorBound): `SELECT max(cursor)` run in Athena when the stream starts."""

    def __init__(self, config: Config, runner: ScalarQuery) -> None:
        self._config = config
        self._runner = runner

    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        sql = cursor_bound_sql(self._config, table, cursor, lower)
        return self._runner.scalar(sql, purpose=f"cursor bound of {table.key}")
