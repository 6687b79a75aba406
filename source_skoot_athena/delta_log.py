"""A Delta table's live data files, read from its transaction log (`_delta_log/*.json`) in S3.

Why: Athena reads a Delta table's files from its log, not by listing its prefix (which also holds files later
commits removed), so chunks of a big one must be planned from the log. Delta protocol
(https://github.com/delta-io/delta/blob/master/PROTOCOL.md, "Delta Log Entries", "Add File and Remove File"):
`_delta_log/<20-digit version>.json` holds one action per line; replayed in version order, an `add` makes its
`path` (relative to the table, URL-encoded; or an absolute URI) live with its `size`, a `remove` retires it.
Checkpoints (`<version>.checkpoint[.<part>.<parts>].parquet`, `_last_checkpoint`) summarise older commits,
which log cleanup may then delete: a log with a checkpoint is not read here, and the table is read in one query
(a log line says so).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import botocore.exceptions

from source_skoot_athena.aws import error_code
from source_skoot_athena.catalog import TableInfo
from source_skoot_athena.partition_sizes import split_s3_location

LOG_DIR = "_delta_log/"
_COMMIT = re.compile(r"(\d{20})\.json")
_CHECKPOINT = re.compile(r"\d{20}\.checkpoint(\.\d+\.\d+)?\.parquet|_last_checkpoint|\d{20}\.checkpoint\.[^/]+")


@dataclass
class DeltaLog:
    """The log replayed: its version, the live files (URI -> (bytes, version that added it)), and the versions
    whose commits removed files (a compaction or an overwrite moves rows into other files)."""

    version: int = -1
    live: dict[str, tuple[int, int]] = field(default_factory=dict)
    remove_versions: set[int] = field(default_factory=set)

    def files(self) -> list[tuple[str, int]]:
        return sorted((uri, size) for uri, (size, _) in self.live.items())

    def removed_since(self, version: int) -> bool:
        return any(v > version for v in self.remove_versions)

    def added_since(self, version: int) -> list[tuple[str, int]]:
        return sorted((uri, size) for uri, (size, added) in self.live.items() if added > version)

    def apply(self, version: int, action: dict[str, Any], root: str) -> None:
        if "add" in action:
            add = action["add"]
            self.live[_uri(root, add["path"])] = (int(add.get("size") or 0), version)
        elif "remove" in action:
            self.live.pop(_uri(root, action["remove"]["path"]), None)
            self.remove_versions.add(version)
        self.version = max(self.version, version)


def _uri(root: str, path: str) -> str:
    """The file's `s3://` URI, as Athena's `"$path"` shows it: absolute paths as they are, relative ones decoded
    under the table's location."""
    return path if "://" in path else root + unquote(path)


def read_delta_log(s3: Any, table: TableInfo, logger: logging.Logger) -> DeltaLog | None:
    """The replayed log; None, with a log line, when it cannot be read here (checkpoint, S3 refusal, none)."""
    root = (table.location or "").rstrip("/") + "/"
    parts = split_s3_location(root)
    if parts is None or not root.startswith("s3://"):
        return None
    bucket, prefix = parts[0], parts[1].rstrip("/") + "/" if parts[1] else ""
    try:
        keys = _log_keys(s3, bucket, prefix + LOG_DIR)
        names = [k.rsplit("/", 1)[-1] for k in keys]
        if any(_CHECKPOINT.fullmatch(n) for n in names):
            logger.info(
                f"{table.key}: its Delta log has a checkpoint, which this connector does not read; the table is read "
                "in one query (not resumable within the sync)."
            )
            return None
        log = DeltaLog()
        for key, name in sorted((k, n) for k, n in zip(keys, names, strict=True) if _COMMIT.fullmatch(n)):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            for line in body.splitlines():
                if line.strip():
                    log.apply(int(name[:20]), json.loads(line), root)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        logger.warning(
            f"{table.key}: could not read its Delta log ({error_code(exc) or exc.__class__.__name__}); the table is "
            "read in one query. Grant s3:ListBucket and s3:GetObject on the data bucket (SkootUnderlyingDataS3)."
        )
        return None
    return log if log.version >= 0 else None


def _log_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [str(item["Key"]) for item in page.get("Contents", [])]
    return keys
