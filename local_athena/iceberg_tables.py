"""Iceberg tables as Glue keeps them and Athena reads them: the current schema and live files from Iceberg metadata.

Why: Athena reads an Iceberg table through the metadata file Glue's `metadata_location` names, with the table's
current schema, not Glue's columns (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg.html). The
writers (apache/iceberg aws/src/main/java/org/apache/iceberg/aws/glue/IcebergToGlueConverter.java `toColumns`,
apache/iceberg-python pyiceberg/catalog/glue.py `_to_columns`) keep the columns of earlier schemas in Glue with
`iceberg.field.current=false`; selecting one fails COLUMN_NOT_FOUND. Glue's types are Hive's: `timestamptz` is
`timestamp`, `time` and `uuid` are `string`; Athena reads them as `timestamp(6) with time zone`, `time(6)` and
`uuid` (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-supported-data-types.html), nested in a
struct, list or map too (iceberg_types.py). Glue holds no partitions (hidden partitioning).

The metadata model follows the table spec (https://iceberg.apache.org/spec/#table-metadata-fields): a
`metadata/NNNNN-<uuid>.metadata.json` with `schemas`, `current-schema-id`, `snapshots` and
`current-snapshot-id`, whose snapshot names a `manifest-list`. One simplification: the manifest list is a JSON
file listing the snapshot's live data files (the spec's manifest list and manifests are Avro files); data
columns are matched by name, not by Parquet field id. Snapshot ids are random 62-bit numbers (Java's
SnapshotIdGeneratorUtil draws random positive longs), so an expired id is never reused. Version travel
(`FOR VERSION AS OF <id>`) reads that snapshot's files; an id not in the metadata fails as Trino's Iceberg
connector does (INVALID_ARGUMENTS "Iceberg snapshot ID does not exists: <id>", trinodb/trino
plugin/trino-iceberg IcebergMetadata.java `getSnapshotIdFromVersion`); simplification: with the current
schema, not the snapshot's. `"$path"` (iceberg_metadata_tables.py) prunes and names files as on Hive tables.
Not modelled: delete files (v2 row deletes), partition specs and pruning, `$partitions`/`$manifests`.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import iceberg_types, moto_state, tables
from .glue_types import duck_ident
from .iceberg_types import IcebergType, from_arrow, glue_type, max_field_id, nested_ids
from .path_column import PATH
from .query_errors import AthenaQueryError


def is_iceberg(parameters: Mapping[str, str]) -> bool:
    return parameters.get("table_type", "").upper() == "ICEBERG"


def _get_json(url: str, account_id: str = moto_state.ACCOUNT_ID) -> Any:
    bucket, key = moto_state.split_s3_url(url)
    return json.loads(moto_state.s3_backend(account_id).get_object(bucket, key).value)


# --- reading (the engine) ----------------------------------------------------------------------------------
def table_metadata(info: moto_state.TableInfo, account_id: str) -> dict[str, Any]:
    """The metadata file Glue's `metadata_location` names."""
    location = info.parameters.get("metadata_location")
    if not location:  # trinodb/trino plugin/trino-iceberg: IcebergUtil / AbstractIcebergTableOperations
        raise AthenaQueryError(
            "ICEBERG_INVALID_METADATA",
            f"Table is missing [metadata_location] property: {info.database}.{info.name}",
        )
    metadata: dict[str, Any] = _get_json(location, account_id)
    return metadata


def data_file_entries(metadata: dict[str, Any], snapshot_id: int | None, account_id: str) -> list[dict[str, Any]]:
    """The live data files (manifest entries) of a snapshot (the current one when None)."""
    wanted = metadata.get("current-snapshot-id") if snapshot_id is None else snapshot_id
    snapshots = [s for s in metadata.get("snapshots", []) if s["snapshot-id"] == wanted]
    if snapshot_id is not None and not snapshots:
        raise AthenaQueryError("INVALID_ARGUMENTS", f"Iceberg snapshot ID does not exists: {snapshot_id}")
    if not snapshots:
        return []
    entries: list[dict[str, Any]] = _get_json(snapshots[0]["manifest-list"], account_id)["data-files"]
    return entries


def current_table(
    info: moto_state.TableInfo, account_id: str, snapshot_id: int | None = None
) -> tuple[list[tuple[str, str]], list[moto_state.S3File]]:
    """(current schema as (name, DuckDB type), live data files) of a snapshot (the current one when None)."""
    metadata = table_metadata(info, account_id)
    (schema,) = [s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"]]
    columns = [(f["name"], iceberg_types.duck_type(f["type"])) for f in schema["fields"]]
    files = []
    for entry in data_file_entries(metadata, snapshot_id, account_id):
        bucket, key = moto_state.split_s3_url(entry["file_path"])
        files += [o for o in moto_state.list_objects(bucket, key, account_id) if o.key == key]
    return columns, files


def select_sql(columns: list[tuple[str, str]], paths: list[str], uris: list[str], with_path: bool) -> str:
    """The current schema's columns from local copies of the data files (a column a file lacks is NULL); with
    ``with_path``, one SELECT per file naming its ``uris`` entry as Athena's ``"$path"``."""
    if with_path and paths:
        return " UNION ALL ".join(_files_select(columns, [p], u) for p, u in zip(paths, uris, strict=True))
    return _files_select(columns, paths, "" if with_path else None)


def _files_select(columns: list[tuple[str, str]], paths: list[str], s3_path: str | None) -> str:
    """One SELECT of the columns over ``paths``, with ``s3_path`` as `"$path"` when given."""
    present: dict[str, str] = {}
    for p in paths:
        for name in pq.read_schema(p).names:
            present.setdefault(name.lower(), name)
    exprs = []
    for name, duck_type in columns:
        src = present.get(name.lower())
        value = f"CAST({duck_ident(src)} AS {duck_type})" if src else f"CAST(NULL AS {duck_type})"
        exprs.append(f"{value} AS {duck_ident(name.lower())}")
    if s3_path is not None:
        exprs.append("'" + s3_path.replace("'", "''") + f"' AS {duck_ident(PATH)}")
    if not paths:
        return "SELECT " + ", ".join(exprs) + " WHERE false"
    path_list = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    return f"SELECT {', '.join(exprs)} FROM read_parquet({path_list}, union_by_name=true)"


# --- writing (tests): a table as Iceberg's GlueCatalog leaves it --------------------------------------------
def put_iceberg_table(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    *,
    types: Mapping[str, IcebergType] | None = None,
    dropped: Mapping[str, IcebergType] | None = None,
    bucket: str = "skoot-data-demo",
    stated_bytes: int | None = None,
) -> None:
    """Replace ``database.table`` with an Iceberg table holding ``data`` (Iceberg ``types`` by column in the spec's
    JSON form, nested ones too (iceberg_types), else from Arrow; uuid values as text); ``dropped``: columns of an earlier schema (name -> Iceberg type), kept in Glue
    with `iceberg.field.current=false` as the writers do; ``stated_bytes``: the file size its manifest states."""
    database, table = database.lower(), table.lower()
    location = f"s3://{bucket}/{database}/{table}/"
    moto_state.ensure_bucket(bucket, region)
    tables.ensure_database(region, database)
    glue = moto_state.glue_backend(region)
    if table in glue.databases[database].tables:
        tables.delete_table(region, database, table, location)
    ids = nested_ids(len(data.schema) + len(dropped or {}) + 1)
    fields = [
        {
            "id": i + 1,
            "name": f.name.lower(),
            "required": False,
            "type": (types or {}).get(f.name) or from_arrow(f.type, ids),
        }
        for i, f in enumerate(data.schema)
    ]
    old = [
        {"id": len(fields) + i + 1, "name": n, "required": False, "type": t}
        for i, (n, t) in enumerate((dropped or {}).items())
    ]
    metadata = _new_metadata(location, fields, old)
    metadata_location = write_snapshot(location, metadata, [], [data], stated_bytes=stated_bytes)
    columns = [_glue_column(f, current=True) for f in fields] + [_glue_column(f, current=False) for f in old]
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"table_type": "ICEBERG", "metadata_location": metadata_location, "EXTERNAL": "TRUE"},
        "PartitionKeys": [],
        "StorageDescriptor": tables.storage_descriptor(columns, location, "parquet"),
    }
    glue.create_table(database, table, table_input)


def _new_metadata(location: str, fields: list[dict[str, Any]], old: list[dict[str, Any]]) -> dict[str, Any]:
    """Table metadata (spec "Table Metadata Fields"): schema 0 holds the earlier columns too, schema 1 is current."""
    schemas = [
        {"type": "struct", "schema-id": 0, "fields": fields + old},
        {"type": "struct", "schema-id": 1, "fields": fields},
    ]
    return {
        "format-version": 2,
        "table-uuid": str(uuid.uuid4()),
        "location": location.rstrip("/"),
        "last-updated-ms": int(time.time() * 1000),
        "last-column-id": max([len(fields) + len(old)] + [max_field_id(f["type"]) for f in fields + old]),
        "schemas": schemas,
        "current-schema-id": 1,
        "partition-specs": [{"spec-id": 0, "fields": []}],
        "default-spec-id": 0,
        "properties": {},
        "snapshots": [],
    }


def append_iceberg(region: str, database: str, table: str, data: pa.Table, *, stated_bytes: int | None = None) -> None:
    """A new snapshot adding a data file with ``data``; Glue's `metadata_location` moves to the new metadata file
    and the old one becomes `previous_metadata_location`, as the Glue catalog commits."""
    commit(
        region,
        database,
        table,
        lambda location, metadata, live: write_snapshot(location, metadata, live, [data], stated_bytes=stated_bytes),
    )


def commit(region: str, database: str, table: str, change: Any) -> None:
    """Commit ``change(location, metadata, live entries) -> new metadata location`` as the Glue catalog does."""
    glue = moto_state.glue_backend(region)
    d = glue.get_table(database, table).as_dict()
    previous = d["Parameters"]["metadata_location"]
    metadata = _get_json(previous)
    live = data_file_entries(metadata, None, moto_state.ACCOUNT_ID)
    new_location = change(d["StorageDescriptor"]["Location"], metadata, live)
    table_input = {k: d[k] for k in ("Name", "TableType", "PartitionKeys", "StorageDescriptor")}
    parameters = {**d["Parameters"], "metadata_location": new_location, "previous_metadata_location": previous}
    glue.update_table(database, table, {**table_input, "Parameters": parameters})


def write_snapshot(
    location: str,
    metadata: dict[str, Any],
    live: list[dict[str, Any]],
    parts: list[pa.Table],
    *,
    stated_bytes: int | None = None,
    operation: str = "append",
) -> str:
    """A snapshot whose live files are ``live`` plus one new data file per table in ``parts``; its summary
    carries the totals the Java writer records (SnapshotSummary: total-data-files, total-records,
    total-files-size). Returns the new metadata file's location."""
    bucket, prefix = moto_state.split_s3_url(location)
    entries = list(live)
    for data in parts:
        buf = io.BytesIO()
        pq.write_table(data, buf)
        key = f"{prefix}data/{uuid.uuid4().hex}.parquet"
        moto_state.put_object(bucket, key, buf.getvalue())
        size = stated_bytes if stated_bytes is not None else len(buf.getvalue())
        entries.append(
            {
                "content": 0,
                "file_path": f"s3://{bucket}/{key}",
                "file_format": "PARQUET",
                "record_count": data.num_rows,
                "file_size_in_bytes": size,
            }
        )
    snapshot_id = uuid.uuid4().int >> 66  # a random positive 62-bit id
    manifest_list = f"{prefix}metadata/snap-{snapshot_id}-{uuid.uuid4().hex}.json"
    moto_state.put_object(bucket, manifest_list, json.dumps({"data-files": entries}).encode())
    summary = {
        "operation": operation,
        "total-data-files": str(len(entries)),
        "total-records": str(sum(e["record_count"] for e in entries)),
        "total-files-size": str(sum(e["file_size_in_bytes"] for e in entries)),
    }
    metadata["snapshots"].append(
        {
            "snapshot-id": snapshot_id,
            "timestamp-ms": int(time.time() * 1000),
            "manifest-list": f"s3://{bucket}/{manifest_list}",
            "summary": summary,
        }
    )
    metadata["current-snapshot-id"] = snapshot_id
    return write_metadata(location, metadata)


def write_metadata(location: str, metadata: dict[str, Any]) -> str:
    """A new metadata file (`NNNNN-<uuid>.metadata.json`) holding ``metadata``; returns its location."""
    bucket, prefix = moto_state.split_s3_url(location)
    key = f"{prefix}metadata/{len(metadata['snapshots']):05d}-{uuid.uuid4()}.metadata.json"
    moto_state.put_object(bucket, key, json.dumps(metadata).encode())
    return f"s3://{bucket}/{key}"


def _glue_column(field: dict[str, Any], *, current: bool) -> dict[str, Any]:
    return {
        "Name": field["name"],
        "Type": glue_type(field["type"]),
        "Parameters": {
            "iceberg.field.id": str(field["id"]),
            "iceberg.field.optional": "true",
            "iceberg.field.current": "true" if current else "false",
        },
    }
