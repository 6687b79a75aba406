"""Partition sizes and data files from S3: what Glue's statistics lack, and what file-level incremental needs.

Why: slices are sized by what their partitions hold (slicing.py), and most tables registered by DDL or
`MSCK REPAIR` carry no `totalSize`/`numRows` parameters; an incremental sync on a partition-key cursor reads only
the files it has not read (file_increments.py). A few partitions are listed one prefix each; many are sized by
one walk of the table prefix (1,000 keys a page). The setup guide grants s3:ListBucket on data buckets
(SkootUnderlyingDataS3). A denied or failed listing only loses the sizes and files: the planner then falls back
to a fixed group size and whole partitions.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from source_skoot_athena.aws import DENIED_CODES, error_code

if TYPE_CHECKING:
    from source_skoot_athena.partitions import Partition

PAGE_KEYS = 1000  # ListObjectsV2 MaxKeys (at most 1,000)
MAX_LIST_PAGES = 50  # 50,000 objects: beyond that the rest of the partitions are sized by the average
# An unpartitioned table's files (stream.py slices a big one by file): 500,000 objects, a few minutes of listing;
# files past the last one listed are still read, by the stream's last slice (`"$path" > last listed`).
TABLE_LIST_PAGES = 500
PER_PARTITION_LISTINGS = 50  # up to this many partitions are listed one prefix each, more by one table walk
LISTING_THREADS = 8
# https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html: Athena ignores these files.
IGNORED_NAME_STARTS = ("_", ".")

Files = list[tuple[str, int]]  # (s3://bucket/key, size)
# A Requester Pays bucket refuses (403) a listing that does not accept the charges; the connector accepts them
# only when the workgroup lets its queries read such buckets (aws.py, AwsClients.pay_as_requester).
REQUESTER_PAYS_HINT = (
    "; if the data bucket is a Requester Pays bucket, turn on 'Requester pays S3 buckets' in the workgroup "
    "(RequesterPaysEnabled), which Athena's own queries of it need too"
)


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


class _FileIndex:
    """Files of one bucket's listing, each put in the partition whose folder prefix its key starts with."""

    def __init__(self, bucket: str, prefixes: Sequence[str]) -> None:
        self.bucket = bucket
        self.prefixes = sorted(set(prefixes))
        self.files: dict[str, Files] = {p: [] for p in self.prefixes}

    def add(self, key: str, size: int) -> None:
        at = bisect.bisect_right(self.prefixes, key) - 1
        if at >= 0 and key.startswith(self.prefixes[at]):
            self.files[self.prefixes[at]].append((f"s3://{self.bucket}/{key}", size))


def with_s3_files(
    s3: Any, table_location: str | None, partitions: list[Partition], logger: logging.Logger, *, track_files: bool
) -> list[Partition]:
    """The partitions, sized from S3 where Glue has no size, with their data files where they were listed; with
    `track_files`, every partition is listed."""
    wanted: dict[int, tuple[str, str]] = {}
    for position, partition in enumerate(partitions):
        folder = split_s3_location(partition.location or "")
        if folder is not None and (track_files or partition.size_bytes is None):
            wanted[position] = folder
    if not wanted:
        return partitions
    try:
        listed = _list_folders(s3, table_location, list(wanted.values()))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        code = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else exc.__class__.__name__
        logger.warning(
            f"Could not list the data files of {len(wanted)} partition(s) in S3 ({code}); slices fall back to a "
            "fixed number of whole partitions. Grant s3:ListBucket on the data bucket (statement "
            "SkootUnderlyingDataS3)" + (REQUESTER_PAYS_HINT if code in DENIED_CODES else "") + "."
        )
        return partitions
    result = list(partitions)
    for position, folder in wanted.items():
        files = listed.get(folder)
        if files is None:
            continue
        partition = partitions[position]
        size = partition.size_bytes if partition.size_bytes is not None else sum(s for _, s in files)
        result[position] = replace(partition, size_bytes=size, files=tuple(files))
    return result


def table_files(s3: Any, location: str | None, logger: logging.Logger) -> tuple[Files, bool] | None:
    """An unpartitioned table's data files under its location in key order, and whether the listing reached the
    end; None when the location is not `s3://` or cannot be listed (the table is then read in one query)."""
    folder = split_s3_location(location or "")
    if folder is None or not (location or "").startswith("s3://"):
        return None
    index = _FileIndex(folder[0], [folder[1]])
    try:
        last = _walk(s3, folder[0], folder[1], index, TABLE_LIST_PAGES)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        code = error_code(exc) if isinstance(exc, botocore.exceptions.ClientError) else exc.__class__.__name__
        logger.warning(
            f"Could not list the data files of {location} in S3 ({code}); the table is read in one query, which "
            "a stopped sync cannot resume. Grant s3:ListBucket on the data bucket (statement SkootUnderlyingDataS3)."
        )
        return None
    return index.files[folder[1]], last is None


def _list_folders(s3: Any, table_location: str | None, folders: list[tuple[str, str]]) -> dict[tuple[str, str], Files]:
    """Each folder's data files, for the folders listed completely: a few one by one, many by a table walk."""
    if len(folders) <= PER_PARTITION_LISTINGS:

        def one(folder: tuple[str, str]) -> Files | None:
            index = _FileIndex(folder[0], [folder[1]])
            return index.files[folder[1]] if _walk(s3, folder[0], folder[1], index) is None else None

        # botocore clients are thread-safe; the listings are round trips, so they overlap.
        with ThreadPoolExecutor(max_workers=LISTING_THREADS) as pool:
            listed = list(pool.map(one, folders))
        return {folder: files for folder, files in zip(folders, listed, strict=True) if files is not None}
    root = split_s3_location(table_location or "")
    if root is None:
        return {}
    bucket, prefix = root
    inside = [p for b, p in folders if b == bucket and p.startswith(prefix)]
    index = _FileIndex(bucket, inside)
    last = _walk(s3, bucket, prefix, index)
    # Folders sorting before the last key listed are complete (ListObjectsV2 lists keys in UTF-8 binary order).
    return {(bucket, p): index.files[p] for p in inside if last is None or (p < last and not last.startswith(p))}


def _walk(s3: Any, bucket: str, prefix: str, index: _FileIndex, max_pages: int | None = None) -> str | None:
    """List the prefix into the index; None if listed to the end, else the last key listed."""
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": PAGE_KEYS}
    last = ""
    for _ in range(MAX_LIST_PAGES if max_pages is None else max_pages):
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
