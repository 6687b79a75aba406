"""Partition sizes from S3 when Glue's statistics lack them: one ListObjectsV2 walk under the table's location.

Why: slices are sized by what their partitions hold (slicing.py), and most tables registered by DDL or
`MSCK REPAIR` carry no `totalSize`/`numRows` parameters. One listing of the table prefix (1,000 keys a page)
sizes every partition under it; the setup guide grants s3:ListBucket on data buckets (SkootUnderlyingDataS3).
A denied or failed listing only loses the sizes: the planner then falls back to its fixed group size.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from source_skoot_athena.aws import error_code

if TYPE_CHECKING:
    from source_skoot_athena.partitions import Partition

PAGE_KEYS = 1000  # ListObjectsV2 MaxKeys (at most 1,000)
MAX_LIST_PAGES = 50  # 50,000 objects: beyond that the rest of the partitions are sized by the average
# https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html: Athena ignores these files.
IGNORED_NAME_STARTS = ("_", ".")


def split_s3_location(location: str) -> tuple[str, str] | None:
    """`s3://bucket/a/b` -> (`bucket`, `a/b/`): a folder prefix ending in `/`; None for anything else."""
    for scheme in ("s3://", "s3a://", "s3n://"):
        if location.startswith(scheme):
            bucket, _, key = location[len(scheme) :].partition("/")
            return (bucket, key.rstrip("/") + "/" if key.strip("/") else "") if bucket else None
    return None


def _data_file(key: str, size: int) -> bool:
    name = key.rsplit("/", 1)[-1]
    return size > 0 and bool(name) and not name.startswith(IGNORED_NAME_STARTS)


class _SizeIndex:
    """Sums listed object sizes into the partition whose folder prefix the key starts with."""

    def __init__(self, prefixes: Sequence[str]) -> None:
        self.prefixes = sorted(set(prefixes))
        self.sizes = dict.fromkeys(self.prefixes, 0)

    def add(self, key: str, size: int) -> None:
        at = bisect.bisect_right(self.prefixes, key) - 1
        if at >= 0 and key.startswith(self.prefixes[at]):
            self.sizes[self.prefixes[at]] += size


def with_s3_sizes(
    s3: Any, table_location: str | None, partitions: list[Partition], logger: logging.Logger
) -> list[Partition]:
    """The partitions, those without a Glue size given the bytes of their data files under the table location."""
    root = split_s3_location(table_location or "")
    if root is None or all(p.size_bytes is not None for p in partitions):
        return partitions
    bucket, prefix = root
    wanted: dict[int, str] = {}
    for position, partition in enumerate(partitions):
        folder = split_s3_location(partition.location or "")
        if partition.size_bytes is None and folder is not None and folder[0] == bucket and folder[1].startswith(prefix):
            wanted[position] = folder[1]
    if not wanted:
        return partitions
    index = _SizeIndex(list(wanted.values()))
    try:
        complete_below = _walk(s3, bucket, prefix, index)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        code = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else exc.__class__.__name__
        logger.warning(
            f"Could not list s3://{bucket}/{prefix} to size the partitions ({code}); slices fall back to a fixed "
            "number of partitions. Grant s3:ListBucket on the data bucket (statement SkootUnderlyingDataS3)."
        )
        return partitions
    sized = list(partitions)
    for at, key_prefix in wanted.items():
        if complete_below is None or (key_prefix < complete_below and not complete_below.startswith(key_prefix)):
            sized[at] = replace(partitions[at], size_bytes=index.sizes[key_prefix])
    return sized


def _walk(s3: Any, bucket: str, prefix: str, index: _SizeIndex) -> str | None:
    """List the prefix into the index; return None if listed to the end, else the last key listed (partitions
    whose folder sorts before it are complete: ListObjectsV2 returns keys in UTF-8 binary order)."""
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": PAGE_KEYS}
    last = ""
    for _ in range(MAX_LIST_PAGES):
        page = s3.list_objects_v2(**params)
        for item in page.get("Contents", []) or []:
            key, size = str(item["Key"]), int(item.get("Size", 0) or 0)
            last = key
            if _data_file(key, size):
                index.add(key, size)
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return None
        params["ContinuationToken"] = token
    return last
