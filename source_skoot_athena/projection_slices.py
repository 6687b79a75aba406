"""A projected table's partitions for the planner: its projected values (projection_values.py), each at its S3
location, sized from S3 and without the ones that hold no file, so it is sliced and resumed like a table with
Glue partitions.

Why: a projected table read in one query is not resumable and can exceed Athena's DML timeout (240 min at most,
https://docs.aws.amazon.com/athena/latest/ug/service-limits.html). Slices name their values in the WHERE
(`"dt" IN (…)`), so Athena projects only those, and NOW is evaluated once, when the stream starts. A projection
spans many values that hold no data (a daily range from 2015 to NOW, an hourly one with gaps): listing the
locations (s3:ListBucket, SkootUnderlyingDataS3) sizes the others and leaves out the empty ones, which Athena
would read nothing from. A location that could not be listed is kept: only a listed empty folder is skipped.
Locations: `storage.location.template` with `${key}` replaced, else `<table location>/key=value/`
(https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from dataclasses import replace
from typing import Any, Protocol, runtime_checkable

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.partition_sizes import with_s3_files
from source_skoot_athena.partitions import Partition, sort_key
from source_skoot_athena.projection_values import NotProjectable, projected_values

# Beyond this many projected partitions (about 11 years of hourly values) the table is read in one query: the
# planner holds one Partition each, and listing or naming them all would take longer than the reads they save.
MAX_PROJECTED_PARTITIONS = 100_000
TEMPLATE_KEY = "storage.location.template"


def location_of(table: TableInfo, texts: tuple[str, ...]) -> str:
    """The S3 folder of one projected partition (its keys' location texts in key order)."""
    template = table.parameters.get(TEMPLATE_KEY)
    if template:
        for key, text in zip(table.partition_keys, texts, strict=True):
            template = template.replace("${" + key.name + "}", text)
        return template if template.endswith("/") else template + "/"
    base = (table.location or "").rstrip("/")
    return base + "/" + "".join(f"{key.name}={text}/" for key, text in zip(table.partition_keys, texts, strict=True))


def listing_root(table: TableInfo) -> str | None:
    """The folder every projected location is under: the template's text before its first `${…}`, else the
    table's location (a walk of it sizes many partitions in one listing)."""
    template = table.parameters.get(TEMPLATE_KEY)
    if not template:
        return table.location
    fixed = template.split("${", 1)[0]
    return fixed[: fixed.rfind("/") + 1] if "/" in fixed else None


class ProjectedPartitions:
    """The planner's partition lister (stream_plan.PartitionLister) for a projected table: the values enumerated when
    the stream starts; on each call (optionally only those at or past a cursor) sized from S3, empty ones dropped."""

    def __init__(self, partitions: list[Partition], s3: Any, logger: logging.Logger) -> None:
        self._all = partitions
        self._s3 = s3
        self._logger = logger

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        chosen = self._all
        if cursor_key is not None and lower is not None:
            position = table.partition_keys.index(cursor_key)
            floor = sort_key(cursor_key, lower)
            chosen = [p for p in chosen if sort_key(cursor_key, p.values[position]) >= floor]
        if self._s3 is None or not chosen:
            return chosen
        listed = with_s3_files(self._s3, listing_root(table), chosen, self._logger, track_files=cursor_key is not None)
        kept = [p for p in listed if p.files is None or p.files]
        if len(kept) < len(listed):
            self._logger.info(
                f"{table.key}: {len(listed) - len(kept)} of {len(listed)} projected partitions hold no file in S3 "
                "and are not queried."
            )
        return _weighted(kept, table.statistics.size_bytes)


def _weighted(partitions: list[Partition], stated: int | None) -> list[Partition]:
    """The listed sizes scaled up to Glue's `totalSize` of the table when it states more than the listing found
    (a listing cut short, or files stated compressed): a slice then holds at most a slice's bytes by either."""
    listed = sum(p.size_bytes or 0 for p in partitions)
    if not stated or not listed or stated <= listed:
        return partitions
    return [
        replace(p, size_bytes=round(p.size_bytes * stated / listed)) if p.size_bytes is not None else p
        for p in partitions
    ]


def projected_partitions(table: TableInfo, now: dt.datetime, limit: int) -> list[Partition]:
    """Every projected partition in partition-key order (NotProjectable when it cannot be enumerated)."""
    keys = table.partition_keys
    per_key = projected_values(table.parameters, keys, now, limit)
    partitions = [
        Partition(tuple(v for v, _ in combo), location=location_of(table, tuple(t for _, t in combo)))
        for combo in itertools.product(*per_key)
    ]
    partitions.sort(key=lambda p: tuple(sort_key(k, v) for k, v in zip(keys, p.values, strict=True)))
    return partitions


def projected_lister(
    table: TableInfo, s3: Any, logger: logging.Logger, *, limit: int | None = None
) -> ProjectedPartitions | None:
    """The lister of a projected table's partitions, NOW fixed at this call; None (logged) when the projection
    cannot be enumerated here, or projects more than `limit` partitions: the table is then read in one query."""
    try:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        partitions = projected_partitions(table, now, MAX_PROJECTED_PARTITIONS if limit is None else limit)
    except NotProjectable as exc:
        logger.info(f"{table.key}: partition projection read in one query (not resumable): {exc}.")
        return None
    logger.info(f"{table.key}: {len(partitions)} projected partition(s), read in slices of them.")
    return ProjectedPartitions(partitions, s3, logger)


@runtime_checkable
class ProjectionSource(Protocol):
    """What gives the planner a projected table's lister (partitions.GluePartitions, with its S3 client)."""

    def projected(self, table: TableInfo) -> ProjectedPartitions | None: ...
