"""A table stream: which columns it reads, its slices (partition groups or the whole table), its cursor range,
and the SQL of each slice.

Slicing rules:
- a table with registered Glue partitions is read a group of partitions at a time, in partition order, with a
  STATE after each group, so a killed sync (full refresh too) resumes at the next group; groups are sized by what
  their partitions hold (slicing.py), so small partitions share a query and a big one has its own;
- a cursor that is a partition key lists only partitions at or past the saved cursor (bytes scanned follow the
  new data), and the cursor advances with each group;
- a table with partition projection is read the same way from its projected partitions (projection_slices.py),
  its cursor on a projected key bounded by `max(cursor)` when their files are unknown;
- a table without Glue partitions (plain Hive) whose files hold more than a slice is read a chunk of its files at
  a time (`"$path"`, file_slices.py), a STATE after each naming the chunk's last file; a small one is one query;
- any other cursor is read as `cursor >= saved AND cursor <= upper`, the upper bound fixed when the stream starts
  (`SELECT max(cursor)`), so rows landing during the sync are picked up next time and none present is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from source_skoot_athena import file_increments
from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.cursor_bounds import cursor_literal, final_state, saved_for_cursor
from source_skoot_athena.file_slices import FileChunk, TableFileLister, chunks_to_read, path_conditions
from source_skoot_athena.partition_filters import (
    in_key_order,
    partition_condition,
    partitions_up_to,
    remaining_partitions,
)
from source_skoot_athena.partitions import Partition, sort_key
from source_skoot_athena.projection_slices import ProjectionSource
from source_skoot_athena.protocol import ConfiguredAirbyteStream
from source_skoot_athena.slicing import cost_groups
from source_skoot_athena.sql import (
    leading_comment,
    qualified_table,
    quote_identifier,
    quote_string,
    select_statement,
)
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream_columns import (
    cursor_column,
    plans_from_glue_partitions,
    refuse_unreadable,
    selected_columns,
)
from source_skoot_athena.stream_plan import (
    FULL_REFRESH_COMPLETE,
    CursorBound,
    FormatChunks,
    PartitionLister,
    Slice,
    StreamPlan,
    StreamShape,
)
from source_skoot_athena.types import ReadPath, select_expression


def _groups(table: TableInfo, partitions: list[Partition]) -> list[tuple[Partition, ...]]:
    return cost_groups(partitions, [k.name for k in table.partition_keys])


def _estimate(partitions: list[Partition] | None, table: TableInfo) -> tuple[int | None, int | None]:
    """Rows and bytes to read: the partitions' Glue statistics summed, or the table's."""
    if partitions:
        rows = [p.record_count for p in partitions if p.record_count is not None]
        sizes = [p.size_bytes for p in partitions if p.size_bytes is not None]
        return (sum(rows) if rows else None, sum(sizes) if sizes else None)
    statistics = table.statistics
    return statistics.record_count, statistics.size_bytes


class StreamPlanner:
    """Turns a configured stream + its Glue table + its saved state into a StreamPlan."""

    def __init__(
        self,
        config: Config,
        partitions: PartitionLister,
        bound: CursorBound,
        logger: logging.Logger,
        formats: FormatChunks | None = None,
    ) -> None:
        self._config = config
        self._formats = formats  # Iceberg and Delta tables' file chunks (format_files.py)
        self._partitions = partitions
        # The S3 lister of partitions also lists an unpartitioned table's files (file_slices.py).
        self._files = partitions if isinstance(partitions, TableFileLister) else None
        # It also enumerates a projected table's partitions (projection_slices.py).
        self._projection = partitions if isinstance(partitions, ProjectionSource) else None
        self._bound = bound
        self._logger = logger

    def plan(self, configured: ConfiguredAirbyteStream, table: TableInfo, saved: StreamState) -> StreamPlan:
        key = StreamKey(configured.stream.namespace, configured.stream.name)
        refuse_unreadable(table)
        columns = selected_columns(configured, table, self._logger)
        cursor = cursor_column(configured, table)
        stream = StreamShape(key, table, columns, cursor)
        if cursor is None and saved.full_refresh_complete:
            # Finished in an earlier attempt of this job: reading it again would deliver its rows twice.
            self._logger.info(f"{table.key}: already read in full by an earlier attempt of this sync; not read again.")
            return stream.plan([], FULL_REFRESH_COMPLETE, 0, 0)
        state = saved_for_cursor(saved, cursor, str(table.key), self._logger)
        lister = _partition_source(table, self._partitions, self._projection)
        if lister is None:
            return self._plan_whole(stream, state)
        state = replace(state, resume_after_file=None, table_version=None)  # of the table when it had no partitions
        if cursor is not None and cursor.is_partition_key:
            return self._plan_by_partition_cursor(stream, cursor, state, lister)
        return self._plan_partition_groups(stream, state, lister.partitions(table))

    # -- no Glue partitions: one slice, or chunks of its files when they hold more than a slice ---------------
    def _plan_whole(self, stream: StreamShape, state: StreamState) -> StreamPlan:
        rows, size = _estimate(None, stream.table)
        cursor = stream.cursor
        cursor_range: tuple[str | None, str | None] | None = None
        progress = StreamState()  # what a checkpoint between file chunks keeps besides the last file read
        if cursor is not None:
            upper = state.pending_cursor or self._bound.upper_bound(stream.table, cursor, state.cursor)
            if upper is None and state.cursor is not None:
                self._logger.info(f"{stream.table.key}: no rows at or past cursor {state.cursor!r}.")
                return stream.plan([], state, 0, 0)
            if upper is None:
                # No cursor value at all (an empty table, or every cursor NULL): no later bound could select these
                # rows, so they are read now; the cursor stays unset, and the next sync does the same.
                self._logger.warning(f"{stream.table.key}: cursor {cursor.name} has no value yet; reading every row.")
            else:
                cursor_range = (state.cursor, upper)
            progress = replace(state, pending_cursor=upper)
            if state.cursor is not None:  # the table's statistics would overstate what is past the cursor
                rows = size = None
        final = final_state(state, cursor, cursor_range[1] if cursor_range else None)
        chunks = (
            self._formats.chunks(stream.table, state.resume_after_file, state.table_version) if self._formats else None
        )
        if chunks is None:
            chunks = chunks_to_read(self._files, stream.table, state.resume_after_file, self._logger)
        return stream.plan(_file_slices(chunks, cursor_range, progress, final), final, rows, size)

    # -- partitioned, the cursor a partition key: partitions past it, the cursor advancing group by group ----
    def _plan_by_partition_cursor(
        self, stream: StreamShape, cursor: Column, state: StreamState, lister: PartitionLister
    ) -> StreamPlan:
        table = stream.table
        position = [k.name for k in table.partition_keys].index(cursor.name)
        # Ordered by the cursor key first, so advancing the cursor after each group never skips a partition.
        partitions = sorted(
            lister.partitions(table, cursor_key=cursor, lower=file_increments.window_start(state, cursor, position)),
            key=lambda p: sort_key(cursor, p.values[position]),
        )
        if partitions and all(p.files is not None for p in partitions):
            return self._plan_unread_files(stream, cursor, state, partitions)
        # Files unknown: partitions at or past the cursor, read whole (the one equal to it again).
        floor = sort_key(cursor, state.cursor) if state.cursor is not None else None
        partitions = [
            replace(p, files=None) for p in partitions if floor is None or sort_key(cursor, p.values[position]) >= floor
        ]
        state = replace(state, recent_files=None)
        if table.uses_projection:  # a projected value may hold no data yet: the cursor stops at max(cursor)
            return self._plan_partition_groups(stream, state, in_key_order(partitions, table))
        rows, size = _estimate(partitions, table)
        slices: list[Slice] = []
        current = state
        for index, group in enumerate(_groups(table, partitions)):
            values = [p.values[position] for p in group if p.values[position] is not None]
            if values:
                current = replace(current, cursor=max(values, key=lambda v: sort_key(cursor, v)))
            slices.append(Slice(index, group, None, current))
        return stream.plan(slices, final_state(current, cursor, current.cursor), rows, size)

    def _plan_unread_files(
        self, stream: StreamShape, cursor: Column, state: StreamState, listed: list[Partition]
    ) -> StreamPlan:
        """Only the files not read before (file_increments.py), grouped by their bytes; a STATE after each group."""
        position = [k.name for k in stream.table.partition_keys].index(cursor.name)
        groups = _groups(stream.table, file_increments.unread(listed, state))
        after, final = file_increments.checkpoints(groups, listed, state, cursor, position)
        slices = [Slice(index, group, None, after[index]) for index, group in enumerate(groups)]
        size = sum(p.size_bytes or 0 for group in groups for p in group)
        self._logger.info(
            f"{stream.table.key}: {sum(len(p.files or ()) for g in groups for p in g)} unread file(s) in "
            f"{sum(len(g) for g in groups)} partition(s) of {len(listed)} listed from "
            f"{file_increments.window_start(state, cursor, position)!r}."
        )
        return stream.plan(slices, final, None, size)

    # -- partitioned, any other cursor (or none): groups of partitions, resumable after each ---------------
    def _plan_partition_groups(self, stream: StreamShape, state: StreamState, listed: list[Partition]) -> StreamPlan:
        table, cursor = stream.table, stream.cursor
        partitions = remaining_partitions(listed, table, state, self._logger)
        rows, size = _estimate(partitions, table)
        cursor_range: tuple[str | None, str | None] | None = None
        progress = StreamState()  # what a checkpoint between groups keeps besides the last group's values
        if cursor is not None:
            upper = state.pending_cursor or self._bound.upper_bound(table, cursor, state.cursor)
            if upper is None:
                return stream.plan([], state, 0, 0)
            cursor_range = (state.cursor, upper)
            progress = replace(state, pending_cursor=upper)
            if state.cursor is not None:  # the partitions' statistics would overstate what is past the cursor
                rows = size = None
            if cursor.is_partition_key:  # a projected key: a value past the bound holds no row to read now
                partitions = partitions_up_to(partitions, table, cursor, upper)
        final = final_state(state, cursor, cursor_range[1] if cursor_range else None)
        groups = _groups(table, partitions)
        slices: list[Slice] = []
        done = state.resume_after  # the last partition read whole (a split one: once its last chunk is read)
        for index, group in enumerate(groups):
            finished = [p for p in group if p.last_chunk]
            done = list(finished[-1].values) if finished else done
            after = final if index == len(groups) - 1 else replace(progress, resume_after=done)
            slices.append(Slice(index, group, cursor_range, after))
        return stream.plan(slices, final, rows, size)

    # -- SQL ------------------------------------------------------------------------------------------------
    def select_sql(self, plan: StreamPlan, slice_: Slice, path: ReadPath) -> str:
        """The slice's SELECT: selected columns (aliased c0, c1, … by position), partition and cursor filters."""
        select_list = [
            f"{select_expression(column.sql_reference, column.type, path)} AS {quote_identifier(f'c{i}')}"
            for i, column in enumerate(plan.columns)
        ]
        conditions: list[str] = []
        if slice_.partitions is not None:
            conditions.append(partition_condition(plan.table.partition_keys, slice_.partitions))
            restricted = [p.only_files for p in slice_.partitions]
            if any(restricted):  # only these files (unread ones, or a chunk): Athena skips the others
                assert all(restricted), "slicing.cost_groups never mixes whole partitions and chosen files"
                files = [uri for p in slice_.partitions for uri, _ in p.files or ()]
                conditions.append(f'"$path" IN ({", ".join(quote_string(uri) for uri in files)})')
        conditions += path_conditions(slice_.files, slice_.files_after, slice_.files_through)  # a chunk of files
        if slice_.cursor_range is not None and plan.cursor is not None:
            lower, upper = slice_.cursor_range
            quoted = plan.cursor.sql_reference
            if lower is not None:
                conditions.append(f"{quoted} >= {cursor_literal(plan.cursor, lower, plan.label)}")
            if upper is not None:
                bounded = f"{quoted} <= {cursor_literal(plan.cursor, upper, plan.label)}"
                # The first sync also takes the rows whose cursor is NULL: no later bound can select them.
                conditions.append(bounded if lower is not None else f"({bounded} OR {quoted} IS NULL)")
        return select_statement(
            leading_comment(self._config.connection_name, f"read {plan.label}"),
            select_list,
            qualified_table(self._config.catalog, plan.table.database, plan.table.name)
            + (f" FOR VERSION AS OF {int(slice_.version_as_of)}" if slice_.version_as_of is not None else ""),
            conditions,
        )


def _partition_source(
    table: TableInfo, glue: PartitionLister, projection: ProjectionSource | None
) -> PartitionLister | None:
    """Where the table's partitions come from: Glue, or its projection (None when it is read whole)."""
    if plans_from_glue_partitions(table):
        return glue
    if projection is not None and table.uses_projection and table.partition_keys and not table.is_view:
        return projection.projected(table)  # None when it cannot be enumerated (logged)
    return None


def _file_slices(
    chunks: list[FileChunk],
    cursor_range: tuple[str | None, str | None] | None,
    progress: StreamState,
    final: StreamState,
) -> list[Slice]:
    """A slice per file chunk, in order; after each but the last the state names its last file."""
    return [
        Slice(
            index,
            None,
            cursor_range,
            replace(progress, resume_after_file=chunk.last_file, table_version=chunk.table_version)
            if chunk.last_file is not None
            else final,
            files=chunk.files,
            files_after=chunk.after,
            files_through=chunk.through,
            version_as_of=chunk.table_version if chunk.pinned else None,
        )
        for index, chunk in enumerate(chunks)
    ]
