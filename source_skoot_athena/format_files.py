"""Iceberg and Delta tables bigger than a slice, read in ranges of their data files' paths, resumable.

Why: Athena cancels a query at its DML timeout (240 min at most,
https://docs.aws.amazon.com/athena/latest/ug/service-limits.html), and these tables have no Glue partitions to
slice by. Their live files (iceberg_files, delta_log) are cut into chunks of about a slice's bytes, each read
with `"$path" > <previous chunk's last file> AND "$path" <= <its last file>`: Athena (Trino) drops the files a
`$path` predicate excludes before reading them, on Iceberg (trinodb/trino plugin/trino-iceberg
IcebergSplitSource: `pathDomain.includesNullableValue(file path)`) and on Delta (plugin/trino-delta-lake
DeltaLakeSplitManager `pathMatchesPredicate`); AWS documents `"$path"` for SELECT in general
(https://docs.aws.amazon.com/athena/latest/ug/select.html) but not per table format, so its use on these two is
inferred from Trino's connectors, not seen on Athena. The ranges cover every path, so the chunks read each row of the
version read exactly once whatever files that version holds; the listing only decides where they are cut.

Resume (the STATE after each chunk names the version and the last path read):
- Iceberg: every chunk reads the snapshot pinned when the sync started (`FOR VERSION AS OF <id>`, Athena's
  version travel: https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-time-travel-and-version-travel-queries.html),
  so a commit or compaction before a resume cannot move rows into ranges already read. If the snapshot has
  expired by then (Athena: "Iceberg snapshot ID does not exists"), the stream starts again from the beginning.
- Delta: Athena has no time travel for Delta ("No time travel support",
  https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables.html). If a commit after the saved log version
  removed files (overwrite, OPTIMIZE), or those commits are no longer in the log (cleanup after a checkpoint),
  rows may have moved into ranges already read: the stream starts again from the beginning. Files only added since are read: those sorting after the saved path by the ranges, the
  others by one more chunk naming them (`"$path" IN (…)`), read first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import aws_call
from source_skoot_athena.catalog import TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.delta_log import read_delta_log
from source_skoot_athena.file_slices import FileChunk
from source_skoot_athena.iceberg_files import (
    RowQuery,
    current_snapshot,
    data_files,
    files_sql,
    has_snapshot,
    read_metadata,
    snapshot_bytes,
)
from source_skoot_athena.slicing import Budget, file_chunks
from source_skoot_athena.table_formats import TableFormat, table_format


def whole_table() -> list[FileChunk]:
    """One chunk: the whole table in one query."""
    return [FileChunk(None, None, None)]


class QueryRows:
    """RowQuery over Athena: the query run to completion, its rows paged from GetQueryResults (header dropped)."""

    def __init__(self, runner: QueryRunner, athena: Any) -> None:
        self._runner = runner
        self._athena = athena

    def rows(self, sql: str, *, purpose: str) -> list[list[str | None]]:
        query_id = self._runner.run(sql, purpose=purpose).query_id
        out: list[list[str | None]] = []
        with aws_call("athena:GetQueryResults", what=f"query {query_id}"):
            for page in self._athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
                out += [[cell.get("VarCharValue") for cell in row.get("Data", [])] for row in page["ResultSet"]["Rows"]]
        return out[1:]


def range_chunks(
    files: Sequence[tuple[str, int]], after: str | None, version: str, *, pinned: bool, budget: Budget | None = None
) -> list[FileChunk]:
    """The files after `after` cut into chunks of about a slice's bytes, as path ranges; the last range is open."""
    remaining = sorted(f for f in files if after is None or f[0] > after)
    groups = file_chunks(remaining, budget or Budget())
    out: list[FileChunk] = []
    lower = after
    for group in groups[:-1]:
        last = group[-1][0]
        out.append(FileChunk(None, lower, last, through=last, table_version=version, pinned=pinned))
        lower = last
    return [*out, FileChunk(None, lower, None, table_version=version, pinned=pinned)]


class FormatFiles:
    """The planner's chunks of an Iceberg or Delta table (None for any other table)."""

    def __init__(self, config: Config, s3: Any, rows: RowQuery, logger: logging.Logger) -> None:
        self._config = config
        self._s3 = s3
        self._rows = rows
        self._logger = logger

    def chunks(self, table: TableInfo, after: str | None, version: str | None) -> list[FileChunk] | None:
        kind = table_format(table.parameters)
        if table.is_view or kind not in (TableFormat.ICEBERG, TableFormat.DELTA):
            return None
        if kind == TableFormat.ICEBERG:
            return self._iceberg(table, after, version)
        return self._delta(table, after, version)

    def _restart(self, table: TableInfo, why: str) -> None:
        self._logger.warning(f"{table.key}: {why}; the stream is read again from the beginning (no row is skipped).")

    def _iceberg(self, table: TableInfo, after: str | None, version: str | None) -> list[FileChunk]:
        metadata = read_metadata(self._s3, table, self._logger)
        if metadata is None:
            if after is not None:
                self._restart(table, "its saved snapshot cannot be checked")
            return whole_table()
        if after is not None and (version is None or not has_snapshot(metadata, version)):
            gone = f"snapshot {version} that the unfinished sync was reading has expired" if version else ""
            self._restart(table, gone or "the saved state names no Iceberg snapshot")
            after, version = None, None
        pinned = version or current_snapshot(metadata)
        if pinned is None:
            return whole_table()  # no snapshot: no data yet
        size = snapshot_bytes(metadata, pinned)
        if after is None and size is not None and size <= Budget().target_bytes:
            return whole_table()
        rows = self._rows.rows(files_sql(self._config, table, after), purpose=f"data files of {table.key}")
        chunks = range_chunks(data_files(rows), after, pinned, pinned=True)
        if after is not None:
            self._logger.info(f"{table.key}: resuming at snapshot {pinned} after {after} ({len(chunks)} slices left).")
        return chunks

    def _delta(self, table: TableInfo, after: str | None, version: str | None) -> list[FileChunk]:
        since = int(version) if after is not None and version is not None and version.isdigit() else None
        log = read_delta_log(self._s3, table, self._logger, since)
        if log is None:
            if after is not None:
                self._restart(table, "its Delta log cannot be read here")
            return whole_table()
        early: list[str] = []
        if after is not None and (since is None or log.removed_since(since)):
            self._restart(table, f"commits after log version {version} removed files (or left the log)")
            after = None
        elif after is not None and since is not None:
            early = [uri for uri, _ in log.added_since(since) if uri <= after]
        chunks = range_chunks(log.files(), after, str(log.version), pinned=False)
        if after is None and len(chunks) == 1:
            return whole_table()
        if early:  # files added since, sorting before the resume point: read them first
            chunks.insert(0, FileChunk(tuple(early), None, after, table_version=str(log.version)))
        if after is not None:
            self._logger.info(f"{table.key}: resuming at log version {log.version} after {after}.")
        return chunks
