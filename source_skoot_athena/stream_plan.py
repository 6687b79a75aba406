"""What a stream's plan is: its slices (one query each, with the state to save after it) and what the planner
asks of the world (partitions, a cursor's upper bound, an Iceberg/Delta table's file chunks), as protocols so the
planner can be tested without AWS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.file_slices import FileChunk
from source_skoot_athena.partitions import Partition
from source_skoot_athena.state import StreamKey, StreamState

# A finished full-refresh stream's state (state.py, FULL_REFRESH_COMPLETE_KEY).
FULL_REFRESH_COMPLETE = StreamState(full_refresh_complete=True)


@dataclass(frozen=True)
class Slice:
    """One query's worth of a stream, and the state to save once its records are written."""

    index: int
    partitions: tuple[Partition, ...] | None
    cursor_range: tuple[str | None, str | None] | None
    state_after: StreamState
    files: tuple[str, ...] | None = None  # only these data files (`"$path" IN (…)`), of a table read by files
    files_after: str | None = None  # only the data files whose path sorts after this one (the last file chunk)
    files_through: str | None = None  # and not after this one (a range of an Iceberg/Delta table's paths)
    version_as_of: str | None = None  # the Iceberg snapshot read (`FOR VERSION AS OF`, format_files.py)


@dataclass(kw_only=True)
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
        return str(self.table.key)


class PartitionLister(Protocol):
    """A table's registered partitions in order; with a partition-key cursor, those at or past `lower`."""

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]: ...


class CursorBound(Protocol):
    """The largest cursor value at or past `lower` (None when there is none): a sync's fixed upper bound."""

    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None: ...


class FormatChunks(Protocol):
    """An Iceberg or Delta table's chunks still to read (format_files.FormatFiles); None for other tables."""

    def chunks(self, table: TableInfo, after: str | None, version: str | None) -> list[FileChunk] | None: ...


class ScalarQuery(Protocol):
    """Runs a one-value query and returns Athena's text of the value (athena.QueryRunner)."""

    def scalar(self, sql: str, *, purpose: str = "query") -> str | None: ...


@dataclass(frozen=True)
class StreamShape:
    """What every plan of one stream shares; `plan` adds the slices, final state and estimates."""

    key: StreamKey
    table: TableInfo
    columns: list[Column]
    cursor: Column | None

    def plan(self, slices: list[Slice], final_state: StreamState, rows: int | None, size: int | None) -> StreamPlan:
        return StreamPlan(
            key=self.key,
            table=self.table,
            columns=self.columns,
            slices=slices,
            final_state=final_state,
            cursor=self.cursor,
            row_estimate=rows,
            byte_estimate=size,
        )
