"""A Delta table's live data files, read from its transaction log (`_delta_log/`) in S3.

Why: Athena reads a Delta table's files from its log, not by listing its prefix (which also holds files later
commits removed), so chunks of a big one must be planned from the log. Delta protocol
(https://github.com/delta-io/delta/blob/master/PROTOCOL.md): "Delta Log Entries" (`<20-digit version>.json`, one
action per line, replayed in version order: an `add` makes its `path` (relative to the table, URL-encoded; or an
absolute URI) live with its `size`, a `remove` retires it); "Checkpoints" and "Last Checkpoint File": a reader
starts from the checkpoint `_last_checkpoint` names (classic `<version>.checkpoint.parquet`, or multi-part
`<version>.checkpoint.<part>.<parts>.parquet`; its `add` column holds the live files at that version) and replays
the commits after it, since log cleanup deletes the commits a checkpoint covers. V2 checkpoints (UUID-named, with
sidecars) are not read here: such a table is read in one query, with a log line.
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
_CLASSIC = re.compile(r"(\d{20})\.checkpoint\.parquet")
_ANY_CHECKPOINT = re.compile(r"\d{20}\.checkpoint\..+")
LAST_CHECKPOINT = "_last_checkpoint"


class UnreadableLog(Exception):
    """A log this module does not read (a V2 checkpoint): the table is read in one query."""


@dataclass
class DeltaLog:
    """The log replayed: its version, the live files (URI -> (bytes, version that added it)), the versions whose
    commits removed files (a compaction or an overwrite moves rows into other files), and the first version from
    which every commit was read (what happened before it is unknown)."""

    version: int = -1
    live: dict[str, tuple[int, int]] = field(default_factory=dict)
    remove_versions: set[int] = field(default_factory=set)
    history_from: int = 0

    def files(self) -> list[tuple[str, int]]:
        return sorted((uri, size) for uri, (size, _) in self.live.items())

    def removed_since(self, version: int) -> bool:
        """Whether a commit after ``version`` removed files; True when those commits were not all read."""
        return version + 1 < self.history_from or any(v > version for v in self.remove_versions)

    def added_since(self, version: int) -> list[tuple[str, int]]:
        return sorted((uri, size) for uri, (size, added) in self.live.items() if added > version)

    def apply(self, version: int, action: dict[str, Any], root: str, *, replay: bool = True) -> None:
        """One commit's action; ``replay`` False for a commit the checkpoint already holds (only its version is
        noted: when a live file was added, whether files were removed)."""
        if "add" in action:
            uri, size = _uri(root, action["add"]["path"]), int(action["add"].get("size") or 0)
            if replay or uri in self.live:
                self.live[uri] = (size if replay else self.live[uri][0], version)
        elif "remove" in action:
            if replay:
                self.live.pop(_uri(root, action["remove"]["path"]), None)
            self.remove_versions.add(version)
        self.version = max(self.version, version)


def _uri(root: str, path: str) -> str:
    """The file's `s3://` URI, as Athena's `"$path"` shows it: absolute paths as they are, relative ones decoded
    under the table's location."""
    return path if "://" in path else root + unquote(path)


def read_delta_log(s3: Any, table: TableInfo, logger: logging.Logger, since: int | None = None) -> DeltaLog | None:
    """The replayed log (with the commits after ``since`` noted, when given); None, with a log line, when it
    cannot be read here (V2 checkpoint, S3 refusal, no log)."""
    root = (table.location or "").rstrip("/") + "/"
    parts = split_s3_location(root)
    if parts is None or not root.startswith("s3://"):
        return None
    bucket, prefix = parts[0], parts[1]
    try:
        names = _log_names(s3, bucket, prefix + LOG_DIR)
        log = _replay(s3, bucket, names, root, since)
    except UnreadableLog as exc:
        logger.info(f"{table.key}: {exc}; the table is read in one query (not resumable within the sync).")
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        logger.warning(
            f"{table.key}: could not read its Delta log ({error_code(exc) or exc.__class__.__name__}); the table is "
            "read in one query. Grant s3:ListBucket and s3:GetObject on the data bucket (SkootUnderlyingDataS3)."
        )
        return None
    return log if log.version >= 0 else None


def _replay(s3: Any, bucket: str, names: dict[str, str], root: str, since: int | None) -> DeltaLog:
    """The last checkpoint's files, then the commits after it replayed (and those after ``since`` noted)."""
    start, files = _checkpoint(s3, bucket, names)
    log = DeltaLog(version=start, history_from=start + 1)
    known = start if since is None else min(since, start)  # a checkpoint file's add is at most this recent
    log.live = {_uri(root, path): (size, known) for path, size in files}
    commits = sorted((int(n[:20]), key) for n, key in names.items() if _COMMIT.fullmatch(n))
    present = {v for v, _ in commits}
    while log.history_from - 1 in present and log.history_from - 1 > known:
        log.history_from -= 1
    for version, key in commits:
        if version >= log.history_from:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            for line in body.splitlines():
                if line.strip():
                    log.apply(version, json.loads(line), root, replay=version > start)
    return log


def _checkpoint(s3: Any, bucket: str, names: dict[str, str]) -> tuple[int, list[tuple[str, int]]]:
    """The last checkpoint's version and live files ((-1, []) without one): the one `_last_checkpoint` names, else
    the newest classic one."""
    if LAST_CHECKPOINT in names:
        pointer = json.loads(s3.get_object(Bucket=bucket, Key=names[LAST_CHECKPOINT])["Body"].read())
        if "v2Checkpoint" in pointer:
            raise UnreadableLog("its Delta log has a V2 checkpoint, which this connector does not read")
        version, count = int(pointer["version"]), int(pointer.get("parts") or 0)
        files = [f"{version:020d}.checkpoint.{i:010d}.{count:010d}.parquet" for i in range(1, count + 1)]
        files = files or [f"{version:020d}.checkpoint.parquet"]
    else:
        classic = sorted(int(m.group(1)) for n in names if (m := _CLASSIC.fullmatch(n)))
        if not classic:
            if any(_ANY_CHECKPOINT.fullmatch(n) for n in names):
                raise UnreadableLog("its Delta log has a checkpoint of a kind this connector does not read")
            return -1, []
        version, files = classic[-1], [f"{classic[-1]:020d}.checkpoint.parquet"]
    if not all(f in names for f in files):
        raise UnreadableLog(f"its Delta log's checkpoint {version} is not all there")
    import pyarrow as pa  # here, not at the top: a read's planning imports this module before its first query
    import pyarrow.parquet as pq  # and pyarrow loads while that query runs (read/result_path.py)

    out: list[tuple[str, int]] = []
    for name in files:
        body = s3.get_object(Bucket=bucket, Key=names[name])["Body"].read()
        adds = pq.read_table(pa.BufferReader(body), columns=["add"]).column("add").to_pylist()
        out += [(str(a["path"]), int(a.get("size") or 0)) for a in adds if a is not None]
    return version, out


def _log_names(s3: Any, bucket: str, prefix: str) -> dict[str, str]:
    """File name in `_delta_log/` -> its key."""
    names: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        names.update({str(item["Key"])[len(prefix) :]: str(item["Key"]) for item in page.get("Contents", [])})
    return names
