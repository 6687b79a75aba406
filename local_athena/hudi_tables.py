"""Hudi tables as Athena reads them: the latest committed file slice of each file group, per the `.hoodie/`
timeline — older versions of a file stay in S3 and are not read.

Why: Hudi's Hive/Glue sync registers a Hudi table as an ordinary EXTERNAL_TABLE whose only Hudi mark is its
input format (`org.apache.hudi.hadoop.HoodieParquetInputFormat`; for a merge-on-read table's `_rt` table
`org.apache.hudi.hadoop.realtime.HoodieParquetRealtimeInputFormat`; `com.uber.hoodie.hadoop.*` with
`hive_sync.use_pre_apache_input_format`; apache/hudi hudi-sync/hudi-hive-sync HiveSyncTool.java
`syncFirstTime`, hudi-aws AWSGlueCatalogSyncClient.java `createTable`). Athena lists the table's partitions from
Glue (hive-sync registers them: "If you need to load a Hudi table not created in AWS Glue, use ALTER TABLE ADD
PARTITION", https://docs.aws.amazon.com/athena/latest/ug/querying-hudi-in-athena-considerations-and-limitations.html)
and in each reads only the latest base file of every file group whose instant the timeline completed: a
copy-on-write update writes a new version of the whole file and leaves the old one in S3
(https://docs.aws.amazon.com/athena/latest/ug/querying-hudi.html, "Copy on Write"). Reading the location as
Hive would return every version of an updated row.

Modelled (Hudi 0.14, the version Athena reads; timeline layout 1, https://hudi.apache.org/docs/timeline):
completed instants are `.hoodie/<instant>.commit` and `.deltacommit` (`.requested`/`.inflight` alone are not
completed, so their files are not read); an instant older than the first one on the active timeline was archived
and counts as completed. Base files are `<fileId>_<writeToken>_<instant>.parquet` directly in the partition's
directory; `.hoodie_partition_metadata` and log files are not base files. A read-optimized (`_ro`) or
copy-on-write table reads base files only (merge-on-read: only compacted data, the AWS doc's "read optimized
query"). A real-time (`_rt`) table FAILs on a timestamp column as Athena does (GENERIC_INTERNAL_ERROR, AWS doc
above, "Timestamp queries"). Not modelled: merging log files into an `_rt` read (a query that would need one
FAILs NOT_SUPPORTED), `.replacecommit` (clustering, insert_overwrite: NOT_SUPPORTED), the metadata table.
"""

from __future__ import annotations

import re

from sqlglot import exp

from . import moto_state
from .glue_types import GlueType, parse_glue_type
from .query_errors import AthenaQueryError
from .scanned_bytes import referenced_columns

HUDI_INPUT_FORMATS = ("org.apache.hudi.hadoop.", "com.uber.hoodie.hadoop.")
TIMELINE_DIR = ".hoodie/"
# `<instant>.<action>[.requested|.inflight]`; a copy-on-write commit in flight is `<instant>.inflight`.
_INSTANT = re.compile(r"(\d{14,17})\.([a-z]+)(\.requested|\.inflight)?")
_BASE_FILE = re.compile(r"(?P<file_id>[^_./][^_/]*)_(?P<token>[^_/]+)_(?P<instant>\d{14,17})\.(parquet|orc)")
_LOG_FILE = re.compile(r"\.(?P<file_id>[^_/]+)_(?P<instant>\d{14,17})\.log\.\d+(_[^/]*)?")
REALTIME_TIMESTAMP_ERROR = (
    "class org.apache.hadoop.io.ArrayWritable cannot be cast to class "
    "org.apache.hadoop.hive.serde2.io.TimestampWritableV2 (org.apache.hadoop.io.ArrayWritable and "
    "org.apache.hadoop.hive.serde2.io.TimestampWritableV2 are in unnamed module of loader "
    "io.trino.server.PluginClassLoader @75c67992)"
)


def is_hudi(info: moto_state.TableInfo) -> bool:
    """Hudi's mark in Glue: its input format (hive-sync sets no `table_type`)."""
    return info.input_format.startswith(HUDI_INPUT_FORMATS)


def is_realtime(info: moto_state.TableInfo) -> bool:
    """A merge-on-read table's snapshot (`_rt`) registration: the realtime input format."""
    return is_hudi(info) and ".realtime." in info.input_format


def refuse_realtime_timestamps(info: moto_state.TableInfo, nodes: list[exp.Table]) -> None:
    """Athena cannot read a timestamp column of a Hudi real-time table; queries of its other columns succeed."""
    if not is_realtime(info) or not nodes:
        return
    used = referenced_columns(nodes[0].root(), [name for name, _ in info.columns])
    for name, glue_type in info.columns:
        if (used is None or name.lower() in used) and _has_timestamp(parse_glue_type(glue_type)):
            raise AthenaQueryError("GENERIC_INTERNAL_ERROR", REALTIME_TIMESTAMP_ERROR)


def _has_timestamp(t: GlueType) -> bool:
    return t.name == "timestamp" or any(_has_timestamp(child) for _, child in t.children)


def latest_base_files(
    info: moto_state.TableInfo, location: str, account_id: str = moto_state.ACCOUNT_ID
) -> list[moto_state.S3File]:
    """The base files a query reads in one partition directory (or an unpartitioned table's base path)."""
    committed = _committed(info, account_id)
    bucket, prefix = moto_state.split_s3_url(location.rstrip("/") + "/")
    latest: dict[str, tuple[str, moto_state.S3File]] = {}
    logs: list[tuple[str, str]] = []
    for f in moto_state.list_objects(bucket, prefix, account_id):
        name = f.key[len(prefix) :]
        if base := _BASE_FILE.fullmatch(name):
            file_id, instant = base.group("file_id"), base.group("instant")
            if committed(instant) and instant > latest.get(file_id, ("", f))[0]:
                latest[file_id] = (instant, f)
        elif log := _LOG_FILE.fullmatch(name):
            logs.append((log.group("file_id"), log.group("instant")))
    if is_realtime(info) and any(latest.get(file_id, ("",))[0] <= instant for file_id, instant in logs):
        raise AthenaQueryError(
            "NOT_SUPPORTED",
            f"merging Hudi log files into a real-time read of {info.database}.{info.name} is not modelled by the "
            "stand-in",
        )
    return [f for _, f in sorted(latest.values(), key=lambda item: item[1].key)]


def _committed(info: moto_state.TableInfo, account_id: str) -> _Committed:
    bucket, prefix = moto_state.split_s3_url(info.location.rstrip("/") + "/")
    completed: set[str] = set()
    active: set[str] = set()
    for f in moto_state.list_objects(bucket, prefix + TIMELINE_DIR, account_id):
        match = _INSTANT.fullmatch(f.key[len(prefix + TIMELINE_DIR) :])
        if match is None:
            continue
        active.add(match.group(1))
        action, completed_action = match.group(2), match.group(3) is None
        if completed_action and action == "replacecommit":
            raise AthenaQueryError(
                "NOT_SUPPORTED", f"Hudi replacecommit of {info.database}.{info.name} is not modelled by the stand-in"
            )
        if completed_action and action in ("commit", "deltacommit"):
            completed.add(match.group(1))
    return _Committed(completed, min(active, default=""))


class _Committed:
    """Whether an instant's files are committed: completed on the active timeline, or archived before it."""

    def __init__(self, completed: set[str], first_active: str) -> None:
        self.completed, self.first_active = completed, first_active

    def __call__(self, instant: str) -> bool:
        return instant in self.completed or (bool(self.first_active) and instant < self.first_active)
