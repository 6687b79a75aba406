"""An Iceberg table's snapshots (from its metadata file in S3) and live data files (from Athena's `"t$files"`).

Why: a big Iceberg table read in one query can outrun Athena's DML timeout (240 min at most) and keeps no
progress. Its S3 prefix also holds files no snapshot reads, so its files must come from its own metadata:
- the snapshots, from the metadata file Glue's `metadata_location` names (table spec, "Table Metadata Fields":
  `current-snapshot-id`, `snapshots`, each with a `summary` whose `total-files-size` the Java writer fills,
  https://iceberg.apache.org/spec/#table-metadata-fields; SnapshotSummary.TOTAL_FILE_SIZE_PROP). One S3 read,
  allowed by the guide's SkootUnderlyingDataS3 statement, tells the current snapshot, whether a saved one still
  exists, and whether the table holds more than a slice, without a query.
- the live data files, from the `$files` metadata table: "Shows a table's current data files"
  (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-table-data.html, "Query Iceberg table
  metadata"); columns `content` (0 = data, 1/2 = position/equality deletes: spec "Manifests", data_file.content),
  `file_path`, `file_size_in_bytes`.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import botocore.exceptions

from source_skoot_athena.aws import error_code
from source_skoot_athena.catalog import TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.sql import leading_comment, quote_identifier, quote_string, select_statement

Metadata = dict[str, Any]


class RowQuery(Protocol):
    """Runs a query and returns its rows as Athena's text (format_files.QueryRows)."""

    def rows(self, sql: str, *, purpose: str) -> list[list[str | None]]: ...


def read_metadata(s3: Any, table: TableInfo, logger: logging.Logger) -> Metadata | None:
    """The table's current metadata file (gzip or plain JSON, as writers may compress it); None, with a warning,
    when Glue names none or S3 refuses the read (the table is then read in one query)."""
    location = table.parameters.get("metadata_location", "")
    parts = location[len("s3://") :].split("/", 1) if location.startswith("s3://") else []
    if len(parts) != 2 or not all(parts):
        logger.warning(f"{table.key}: Glue names no Iceberg metadata_location; the table is read in one query.")
        return None
    try:
        body = s3.get_object(Bucket=parts[0], Key=parts[1])["Body"].read()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        code = error_code(exc) or exc.__class__.__name__
        logger.warning(
            f"{table.key}: could not read its Iceberg metadata {location} ({code}); the table is read in one query, "
            "which a stopped sync cannot resume. Grant s3:GetObject on the data bucket (statement SkootUnderlyingDataS3)."
        )
        return None
    data = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    parsed = json.loads(data)
    return parsed if isinstance(parsed, dict) else None


def current_snapshot(metadata: Metadata) -> str | None:
    """The current snapshot's id as text (None for a table without one: no data yet; -1 in format v1)."""
    value = metadata.get("current-snapshot-id")
    return None if value is None or int(value) < 0 else str(value)


def has_snapshot(metadata: Metadata, snapshot_id: str) -> bool:
    """Whether the snapshot is still in the table's metadata (expire_snapshots removes it)."""
    return any(str(s.get("snapshot-id")) == snapshot_id for s in metadata.get("snapshots") or ())


def snapshot_bytes(metadata: Metadata, snapshot_id: str) -> int | None:
    """The snapshot's `total-files-size` summary (bytes of its live files), None when the writer left none."""
    for snapshot in metadata.get("snapshots") or ():
        if str(snapshot.get("snapshot-id")) == snapshot_id:
            value = (snapshot.get("summary") or {}).get("total-files-size")
            return int(value) if value is not None and str(value).isdigit() else None
    return None


def files_sql(config: Config, table: TableInfo, after: str | None) -> str:
    """`SELECT file_path, file_size_in_bytes FROM "cat"."db"."t$files"`: the current snapshot's data files (not
    delete files), only those sorting after `after` on a resumed sync."""
    conditions = ["content = 0"] + ([f"file_path > {quote_string(after)}"] if after is not None else [])
    name = ".".join(quote_identifier(p) for p in (config.catalog, table.database, f"{table.name}$files"))
    return select_statement(
        leading_comment(config.connection_name, f"data files of {table.key}"),
        ["file_path", "CAST(file_size_in_bytes AS varchar)"],
        name,
        conditions,
    )


def data_files(rows: Sequence[Sequence[str | None]]) -> list[tuple[str, int]]:
    """The `$files` rows as (path, bytes), in path order."""
    return sorted((str(path), int(size or 0)) for path, size, *_ in rows if path is not None)
