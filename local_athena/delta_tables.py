"""Delta Lake tables as Glue keeps them and Athena reads them: the live files come from the transaction log.

Why: Athena reads a Delta table through its `_delta_log`, not by listing the location as Hive does, and Glue
holds its partition keys but no partitions ("Athena synchronizes table metadata, including schema, partition
columns, and table properties, to AWS Glue",
https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables-syncing-metadata.html). A connector that plans
from GetPartitions finds none; files a later commit removed are still in S3, and a Hive listing would read them.

Modelled (Delta protocol, https://github.com/delta-io/delta/blob/master/PROTOCOL.md, "Delta Log Entries",
"Add File and Remove File"): `_delta_log/<20-digit version>.json`, one JSON action per line, replayed in version
order; an `add` makes its (relative, URL-encoded) `path` live with its `partitionValues` (partition columns are
not in the data files; a null value is NULL), a `remove` retires it. A log without `metaData` fails as Trino's
Delta connector does (DELTA_LAKE_INVALID_SCHEMA "Metadata not found in transaction log for <table>",
trinodb/trino plugin/trino-delta-lake DeltaLakeMetadata.java). Checkpoints: delta_checkpoints.py. Not modelled:
deletion vectors, column mapping, and the Spark placeholder registration
(`col array<string>` + `spark.sql.sources.provider=delta`), which Athena reads with the log's schema: it FAILs
NOT_SUPPORTED here rather than answering with the placeholder column.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

import pyarrow as pa
import pyarrow.compute as pc

from . import moto_state, tables
from .delta_checkpoints import latest_version, log_actions
from .query_errors import AthenaQueryError
from .table_sources import HIVE_NULL

LOG_DIR = "_delta_log/"
# Delta's primitive type names (PROTOCOL.md "Primitive Types") for the schemaString of the metaData action.
_DELTA_TYPES = {
    pa.int64(): "long",
    pa.int32(): "integer",
    pa.int16(): "short",
    pa.int8(): "byte",
    pa.float64(): "double",
    pa.float32(): "float",
    pa.bool_(): "boolean",
    pa.string(): "string",
    pa.binary(): "binary",
    pa.date32(): "date",
}
Group = tuple[list[str], list[moto_state.S3File]]  # (partition values as text, live data files)


def is_delta(parameters: Mapping[str, str]) -> bool:
    """Glue's marks of a Delta table: Athena's `table_type=DELTA`, or Spark's provider property."""
    return (
        parameters.get("table_type", "").upper() == "DELTA"
        or parameters.get("spark.sql.sources.provider", "").lower() == "delta"
    )


def is_placeholder(columns: list[tuple[str, str]]) -> bool:
    """Spark's registration: one `col array<string>` column standing in for the schema kept in the log."""
    return [(n.lower(), t.replace(" ", "").lower()) for n, t in columns] == [("col", "array<string>")]


def file_groups(info: moto_state.TableInfo, account_id: str = moto_state.ACCOUNT_ID) -> list[Group]:
    """The table's live data files grouped by partition values (in Glue's partition-key order)."""
    if is_placeholder(info.columns):
        raise AthenaQueryError(
            "NOT_SUPPORTED",
            f"Delta table {info.database}.{info.name} registered with Spark's placeholder schema "
            "(col array<string>) is not modelled by the stand-in",
        )
    keys = [name for name, _ in info.partition_keys]
    groups: dict[tuple[str, ...], list[moto_state.S3File]] = {}
    for f, values in _live_files(info, account_id):
        row = tuple(HIVE_NULL if values.get(k) is None else str(values[k]) for k in keys)
        groups.setdefault(row, []).append(f)
    return [(list(values), files) for values, files in sorted(groups.items())]


def _live_files(info: moto_state.TableInfo, account_id: str) -> list[tuple[moto_state.S3File, dict[str, str | None]]]:
    bucket, prefix = moto_state.split_s3_url(info.location.rstrip("/") + "/")
    live: dict[str, dict[str, str | None]] = {}
    has_metadata = False
    for action in log_actions(bucket, prefix, account_id):  # the last checkpoint's, then later commits
        has_metadata = has_metadata or "metaData" in action
        if "add" in action:
            live[action["add"]["path"]] = dict(action["add"].get("partitionValues") or {})
        elif "remove" in action:
            live.pop(action["remove"]["path"], None)
    if not has_metadata:
        raise AthenaQueryError(
            "DELTA_LAKE_INVALID_SCHEMA", f"Metadata not found in transaction log for {info.database}.{info.name}"
        )
    sizes = {f.key: f for f in moto_state.list_objects(bucket, prefix, account_id)}
    return [(sizes[prefix + unquote(path)], values) for path, values in sorted(live.items())]


# --- writing (tests and the demo): a table as Athena's native Delta registration leaves it -------------------
def put_delta_table(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    *,
    partition_keys: list[str] | None = None,
    spark_placeholder: bool = False,
    bucket: str = "skoot-data-demo",
    stated_bytes: int | None = None,
) -> str:
    """Replace ``database.table`` with a Delta table holding ``data`` (commit 0); returns its location.

    Glue as Athena's `CREATE EXTERNAL TABLE … TBLPROPERTIES ('table_type'='DELTA')` syncs it (real columns,
    partition keys, no partitions), or with ``spark_placeholder`` as Spark registers it: `col array<string>`,
    `spark.sql.sources.provider=delta`, the location also as SerDe parameter `path`
    (https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables-syncing-metadata.html). ``stated_bytes``: the
    `size` its `add` actions state (default: the files' real sizes).
    """
    keys = list(partition_keys or [])
    database, table = database.lower(), table.lower()
    location = f"s3://{bucket}/{database}/{table}/"
    moto_state.ensure_bucket(bucket, region)
    tables.ensure_database(region, database)
    glue = moto_state.glue_backend(region)
    if table in glue.databases[database].tables:
        tables.delete_table(region, database, table, location)
    columns, glue_keys = tables.glue_columns(data, keys, {}, {})
    sd = tables.storage_descriptor(columns, location, "parquet")
    parameters = {"table_type": "DELTA", "EXTERNAL": "TRUE"}
    if spark_placeholder:
        parameters = {"spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"}
        sd["Columns"] = [{"Name": "col", "Type": "array<string>", "Comment": "from deserializer"}]
        sd["SerdeInfo"]["Parameters"] = {"path": location, "serialization.format": "1"}
        glue_keys = []
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": glue_keys,
        "StorageDescriptor": sd,
    }
    glue.create_table(database, table, table_input)
    _commit(location, 0, [_protocol(), _metadata(data, keys), *_add_files(location, data, keys, stated_bytes)])
    return location


def commit_delta(
    location: str,
    data: pa.Table,
    partition_keys: list[str],
    *,
    overwrite: bool = False,
    stated_bytes: int | None = None,
) -> int:
    """A new commit appending ``data`` (``overwrite``: first removing every live file, as Spark's overwrite
    mode does; the old files stay in S3); returns its version."""
    bucket, prefix = moto_state.split_s3_url(location)
    version = latest_version(bucket, prefix) + 1
    actions: list[dict[str, Any]] = []
    if overwrite:
        now = int(time.time() * 1000)
        for path in _live_paths(bucket, prefix):
            actions.append({"remove": {"path": path, "deletionTimestamp": now, "dataChange": True}})
    _commit(location, version, actions + _add_files(location, data, partition_keys, stated_bytes))
    return version


def _live_paths(bucket: str, prefix: str) -> list[str]:
    live: set[str] = set()
    for action in log_actions(bucket, prefix):
        if "add" in action:
            live.add(action["add"]["path"])
        elif "remove" in action:
            live.discard(action["remove"]["path"])
    return sorted(live)


def _commit(location: str, version: int, actions: list[dict[str, Any]]) -> None:
    bucket, prefix = moto_state.split_s3_url(location)
    body = "\n".join(json.dumps(a) for a in actions).encode()
    moto_state.put_object(bucket, f"{prefix}{LOG_DIR}{version:020d}.json", body)


def _protocol() -> dict[str, Any]:
    return {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}


def _metadata(data: pa.Table, keys: list[str]) -> dict[str, Any]:
    fields = [{"name": f.name, "type": _delta_type(f.type), "nullable": True, "metadata": {}} for f in data.schema]
    return {
        "metaData": {
            "id": str(uuid.uuid4()),
            "format": {"provider": "parquet", "options": {}},
            "schemaString": json.dumps({"type": "struct", "fields": fields}),
            "partitionColumns": keys,
            "configuration": {},
            "createdTime": int(time.time() * 1000),
        }
    }


def _delta_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    return _DELTA_TYPES.get(t, "string")


def _add_files(location: str, data: pa.Table, keys: list[str], stated_bytes: int | None) -> list[dict[str, Any]]:
    """One Parquet file per partition (without the partition columns) and its `add` action."""
    bucket, prefix = moto_state.split_s3_url(location)
    combos = data.select(keys).group_by(keys).aggregate([]).to_pylist() if keys else [{}]
    actions = []
    for combo in combos:
        part = data
        for k, v in combo.items():
            part = part.filter(
                pc.is_null(part[k]) if v is None else pc.equal(part[k], pa.scalar(v, part.schema.field(k).type))
            )
        values = {k: None if v is None else tables.partition_value(v) for k, v in combo.items()}
        sub = "".join(f"{k}={quote(v or HIVE_NULL)}/" for k, v in values.items())
        path = f"{sub}part-{uuid.uuid4().hex[:12]}.snappy.parquet"
        body = tables.encode(part.drop_columns(keys), "parquet", None)
        moto_state.put_object(bucket, prefix + unquote(path), body)
        size = len(body) if stated_bytes is None else stated_bytes
        add = {"path": path, "partitionValues": values, "size": size, "modificationTime": 0, "dataChange": True}
        actions.append({"add": add})
    return actions
