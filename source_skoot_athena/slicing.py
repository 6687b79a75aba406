"""Partitions grouped into slices by what they cost to query, not by a fixed count.

Why: every Athena query pays queue and planning time (often 1-2 s) and a 10 MB billing minimum, so many small
partitions belong in one query; a big one gets a query of its own so each query stays well inside the Query
Timeout, and a killed sync loses at most one slice. A partition's cost is what Glue's statistics or the S3
listing say it holds (bytes as stored, else rows); the query text caps how many partitions one WHERE can name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from source_skoot_athena.partitions import Partition

# Athena scans Parquet/ORC at hundreds of MB/s per query and we stream the result at ~50-100 MB/s of Parquet,
# so a slice of 1 GiB as stored finishes in minutes, far inside the default 30 min DML timeout.
SLICE_TARGET_BYTES = 1024**3
SLICE_TARGET_ROWS = 20_000_000  # when only row counts are known (≈ 1 GiB of Parquet at ~50 bytes a row)
# Athena's query text limit is 262,144 bytes (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html): the partitions' WHERE stays under half of it.
MAX_CONDITION_CHARS = 120_000
FILE_CHUNK_TEXT_MARGIN = 2_000  # room in a chunk's query for the partition's own condition
CONDITION_OVERHEAD_CHARS = 40  # `("key" = '…') OR ` and a typed literal's keyword, per partition key
# Nothing tells any partition's size (no Glue statistics, no S3 listing): the former fixed group size.
UNKNOWN_COST_PARTITIONS = 20


@dataclass(frozen=True)
class Budget:
    """What one slice may hold."""

    target_bytes: int = SLICE_TARGET_BYTES
    target_rows: int = SLICE_TARGET_ROWS
    max_condition_chars: int = MAX_CONDITION_CHARS


def condition_chars(partition: Partition, key_names: Sequence[str]) -> int:
    """An upper estimate of the characters the partition (and its files, if named) adds to the slice's WHERE."""
    named = partition.files if partition.only_files else None
    return sum(len(uri) + 4 for uri, _ in named or ()) + sum(
        len(name) + len(value or "") + CONDITION_OVERHEAD_CHARS
        for name, value in zip(key_names, partition.values, strict=False)
    )


def partition_costs(partitions: Sequence[Partition], budget: Budget) -> list[float]:
    """Each partition's share of a slice (1.0 = a whole slice): bytes if any partition's size is known, else rows;
    a partition whose measure is missing costs the average of the known ones; if none is known, 1/20th."""
    sizes = [p.size_bytes for p in partitions]
    rows = [p.record_count for p in partitions]
    if any(s is not None for s in sizes):
        known, target = sizes, budget.target_bytes
    elif any(r is not None for r in rows):
        known, target = rows, budget.target_rows
    else:
        return [1 / UNKNOWN_COST_PARTITIONS] * len(partitions)
    values = [v for v in known if v is not None]
    average = sum(values) / len(values)
    return [(v if v is not None else average) / target for v in known]


def _too_big(partition: Partition, budget: Budget) -> bool:
    """More than a slice's bytes, or (when its files are named) more than the query text budget of file names."""
    files = partition.files or ()
    if len(files) < 2:
        return False
    if (partition.size_bytes or 0) > budget.target_bytes:
        return True
    return partition.only_files and sum(len(uri) + 4 for uri, _ in files) > budget.max_condition_chars


def file_chunks(
    files: Sequence[tuple[str, int]], budget: Budget = Budget(), *, weight: float = 1.0
) -> list[tuple[tuple[str, int], ...]]:
    """Consecutive files (their order kept) in chunks, each within a slice's bytes (a file's size times `weight`)
    and the query text budget for its `"$path" IN (…)`; a file bigger than a slice is a chunk of its own."""
    chunks: list[list[tuple[str, int]]] = [[]]
    chars_cap = budget.max_condition_chars - FILE_CHUNK_TEXT_MARGIN
    size = chars = 0.0
    for uri, file_size in files:
        cost = file_size * weight
        if chunks[-1] and (size + cost > budget.target_bytes or chars + len(uri) + 4 > chars_cap):
            chunks.append([])
            size = chars = 0.0
        chunks[-1].append((uri, file_size))
        size, chars = size + cost, chars + len(uri) + 4
    return [tuple(chunk) for chunk in chunks if chunk]


def split_by_files(partitions: Sequence[Partition], budget: Budget = Budget()) -> list[Partition]:
    """Each partition too big for one query whose files are known, as chunks of its files, each within a slice's
    bytes and the query text budget (in file order); the others as they are."""
    out: list[Partition] = []
    for partition in partitions:
        if not _too_big(partition, budget):
            out.append(partition)
            continue
        chunks = file_chunks(partition.files or (), budget)
        out += [
            replace(
                partition,
                files=chunk,
                size_bytes=sum(s for _, s in chunk),
                record_count=None,
                only_files=True,
                last_chunk=number == len(chunks) - 1,
            )
            for number, chunk in enumerate(chunks)
        ]
    return out


def cost_groups(
    partitions: Sequence[Partition], key_names: Sequence[str], budget: Budget = Budget()
) -> list[tuple[Partition, ...]]:
    """Consecutive partitions (their order is kept: resuming relies on it) packed into groups within the budget.

    A group closes before a partition that would take it past a whole slice's cost or past the query text
    budget; a partition that alone costs more than a slice is a group of its own, split into chunks of its files
    when they are known; a query reads either whole partitions or chosen files, never both.
    """
    partitions = split_by_files(partitions, budget)
    groups: list[tuple[Partition, ...]] = []
    current: list[Partition] = []
    cost = 0.0
    chars = 0
    for partition, share in zip(partitions, partition_costs(partitions, budget), strict=True):
        text = condition_chars(partition, key_names)
        mixed = bool(current) and current[-1].only_files != partition.only_files
        if current and (mixed or cost + share > 1.0 + 1e-9 or chars + text > budget.max_condition_chars):
            groups.append(tuple(current))
            current, cost, chars = [], 0.0, 0
        current.append(partition)
        cost += share
        chars += text
    if current:
        groups.append(tuple(current))
    return groups
