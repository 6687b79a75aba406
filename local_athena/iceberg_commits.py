"""Iceberg table maintenance as the writers commit it: compaction (rewrite_data_files) and expire_snapshots.

Why: a sync stopped between two chunks and resumed later may find the table compacted (its rows moved into new
files: a `replace` snapshot, Iceberg Java `RewriteFiles`) or its old snapshots expired (`ExpireSnapshots`
removes them from the metadata, https://iceberg.apache.org/docs/latest/maintenance/#expire-snapshots); the
connector's resume must stay exact under both, so tests make both happen between two syncs.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import moto_state
from .iceberg_tables import commit, write_metadata, write_snapshot


def compact_iceberg(region: str, database: str, table: str) -> None:
    """A `replace` snapshot holding every live row in one new data file (the old files stay for older snapshots)."""

    def rewrite(location: str, metadata: dict[str, Any], live: list[dict[str, Any]]) -> str:
        parts = []
        for entry in live:
            bucket, key = moto_state.split_s3_url(entry["file_path"])
            body = moto_state.s3_backend().get_object(bucket, key).value
            parts.append(pq.read_table(pa.BufferReader(body)))
        rows = pa.concat_tables(parts, promote_options="default") if parts else None
        return write_snapshot(location, metadata, [], [rows] if rows is not None else [], operation="replace")

    commit(region, database.lower(), table.lower(), rewrite)


def expire_snapshots(region: str, database: str, table: str) -> None:
    """Every snapshot but the current one removed from the table's metadata."""

    def expire(location: str, metadata: dict[str, Any], _live: list[dict[str, Any]]) -> str:
        current = metadata.get("current-snapshot-id")
        metadata["snapshots"] = [s for s in metadata["snapshots"] if s["snapshot-id"] == current]
        return write_metadata(location, metadata)

    commit(region, database.lower(), table.lower(), expire)
