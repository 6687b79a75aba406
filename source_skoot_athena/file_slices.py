"""An unpartitioned Hive table too big for one query, read as chunks of its data files (`"$path"`).

Why: Athena cancels a DML query at its DML timeout (240 min at most:
https://docs.aws.amazon.com/athena/latest/ug/service-limits.html), and a table without Glue partitions has no
partitions to slice by; a one-query read of a huge one fails every time and keeps no progress. Its files, listed
from S3 (s3:ListBucket, statement SkootUnderlyingDataS3), are read a chunk at a time with `"$path" IN (…)`, which
Athena (Trino's Hive connector) applies before reading any file, so each query reads and bills only its chunk
(local_athena/path_column.py cites the source). Chunks follow the paths' order, so a STATE naming the last file
of a chunk is a resume point. The last chunk is `"$path" > <previous chunk's last file>`: files the listing did not
reach (or that landed after it) are still read. Trino orders varchar by UTF-8 bytes, as S3 lists keys and as
Python orders str (code points), so the three agree on "after".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from source_skoot_athena.catalog import TableInfo
from source_skoot_athena.slicing import Budget, file_chunks
from source_skoot_athena.sql import quote_string
from source_skoot_athena.table_formats import TableFormat, table_format

Files = Sequence[tuple[str, int]]  # (s3://bucket/key, size)


@runtime_checkable
class TableFileLister(Protocol):
    """An unpartitioned table's data files in path order and whether the listing reached the end; None when they
    cannot be listed (partitions.GluePartitions over S3)."""

    def table_files(self, table: TableInfo) -> tuple[Files, bool] | None: ...


@dataclass(frozen=True)
class FileChunk:
    """One slice's files: `files` named one by one, or (files None) every file sorting after `after` (and, with
    `through`, not after `through`: a range of paths, exact whatever files a snapshot holds)."""

    files: tuple[str, ...] | None
    after: str | None
    last_file: str | None  # the resume point once this chunk is read (None: the whole table, one query)
    through: str | None = None
    table_version: str | None = None  # the Iceberg snapshot or Delta log version the chunks were planned at
    pinned: bool = False  # read at `table_version` (Iceberg `FOR VERSION AS OF`)


def sliced_by_files(table: TableInfo) -> bool:
    """Whether the table may be read by files: a plain Hive table with no partition keys at an `s3://` location
    (Iceberg and Delta files include ones no snapshot reads; views and projection have no files of their own)."""
    return (
        not table.partition_keys
        and not table.is_view
        and not table.uses_projection
        and table_format(table.parameters, table.input_format) == TableFormat.HIVE
        and (table.location or "").startswith("s3://")
    )


def _weight(listed: Files, table: TableInfo) -> float:
    """Bytes a listed byte stands for: Glue's `totalSize` when it says more than the listing (a slice then holds
    at most a slice's bytes by either measure)."""
    total = sum(size for _, size in listed)
    stated = table.statistics.size_bytes
    return max(1.0, stated / total) if stated and total else 1.0


def file_chunks_to_read(
    listing: tuple[Files, bool] | None,
    table: TableInfo,
    resumed_after: str | None,
    logger: logging.Logger,
    budget: Budget | None = None,
) -> list[FileChunk]:
    """The chunks still to read: the listed files after `resumed_after`, in slices within the budget; a single
    chunk (the whole table, or what is left after the resume point) when they fit in one query or are unknown."""
    files = sorted(listing[0]) if listing else []
    remaining = [f for f in files if resumed_after is None or f[0] > resumed_after]
    chunks = file_chunks(remaining, budget or Budget(), weight=_weight(files, table) if files else 1.0)
    if listing is not None and not listing[1] and len(chunks) > 1:
        logger.warning(
            f"{table.key}: the S3 listing stopped at {len(files)} files; the files after {remaining[-1][0]} are "
            "read by the last slice, in one query."
        )
    if len(chunks) < 2:
        return [FileChunk(None, resumed_after, None)]
    if resumed_after is not None:
        logger.info(f"{table.key}: resuming an unfinished sync after file {resumed_after} ({len(chunks)} slices left).")
    out = [FileChunk(tuple(uri for uri, _ in chunk), None, chunk[-1][0]) for chunk in chunks[:-1]]
    return [*out, FileChunk(None, chunks[-2][-1][0], None)]


def chunks_to_read(
    lister: TableFileLister | None, table: TableInfo, resumed_after: str | None, logger: logging.Logger
) -> list[FileChunk]:
    """The table's file chunks still to read; one chunk (the whole table, or all after the resume point) when
    it is not read by files or its files cannot be listed."""
    listing = lister.table_files(table) if lister is not None and sliced_by_files(table) else None
    return file_chunks_to_read(listing, table, resumed_after, logger)


def path_conditions(files: tuple[str, ...] | None, after: str | None, through: str | None = None) -> list[str]:
    """The WHERE conditions that read only a chunk's files: Athena skips every other file."""
    named = [f'"$path" IN ({", ".join(quote_string(uri) for uri in files)})'] if files is not None else []
    named += [f'"$path" > {quote_string(after)}'] if after is not None else []
    return named + ([f'"$path" <= {quote_string(through)}'] if through is not None else [])
