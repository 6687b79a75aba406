"""Write Hudi tables the way Hudi leaves S3 and its Glue sync leaves the catalog (tests and the demo).

Why: the stand-in's Hudi reads (hudi_tables) are only as good as the tables they are tested on. S3, as Hudi 0.14
writes it (https://hudi.apache.org/docs/next/file_layouts, /docs/timeline): `.hoodie/hoodie.properties`; per
instant `<instant>.commit.requested`, `.inflight`, then `<instant>.commit` (`.deltacommit*` for merge-on-read)
holding the commit metadata; per partition directory (`hive_style_partitioning=false`, Hudi's default: the
value alone) a `.hoodie_partition_metadata` and base files `<fileId>_<writeToken>_<instant>.parquet` carrying
the `_hoodie_*` meta columns and every data column (partition columns too). A copy-on-write upsert writes a
new version of each file group it touches; the old version stays. Merge-on-read writes only inserts here (new
base files; updates would go to Avro log files, which are not modelled).

Glue, as hive-sync leaves it (apache/hudi HiveSyncTool.java, hudi-aws AWSGlueCatalogSyncClient.java
`createTable`): EXTERNAL_TABLE with no `table_type`; the `_hoodie_*` columns first, partition fields as
PartitionKeys; ParquetHiveSerDe with `hoodie.query.as.ro.table` and `path`; HoodieParquetInputFormat (the
realtime one for a merge-on-read `_rt` table; `_ro` reads base files only); with `sync_as_datasource` (on by
default) the Spark properties `spark.sql.sources.provider=hudi` and the schema; `last_commit_time_sync`; each
written partition registered. Timestamp columns are synced as `timestamp` (`hive_sync.support_timestamp=true`;
without it hive-sync writes `bigint`, not modelled).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import glue_names, hudi_tables, moto_state, tables

META_COLUMNS = [
    "_hoodie_commit_time",
    "_hoodie_commit_seqno",
    "_hoodie_record_key",
    "_hoodie_partition_path",
    "_hoodie_file_name",
]
COPY_ON_WRITE, MERGE_ON_READ = "COPY_ON_WRITE", "MERGE_ON_READ"
INPUT_FORMAT = "org.apache.hudi.hadoop.HoodieParquetInputFormat"
REALTIME_INPUT_FORMAT = "org.apache.hudi.hadoop.realtime.HoodieParquetRealtimeInputFormat"
_SPARK_TYPES = {"bigint": "long", "int": "integer", "smallint": "short", "tinyint": "byte"}
_last_instant = [""]
_token = itertools.count()


def glue_tables(table: str, table_type: str) -> dict[str, bool]:
    """Glue tables hive-sync registers (name -> realtime input format): a copy-on-write table under its own
    name; a merge-on-read table as `<name>_ro` (read-optimized) and `<name>_rt` (snapshot)."""
    if table_type == COPY_ON_WRITE:
        return {table: False}
    return {f"{table}_ro": False, f"{table}_rt": True}


def put_hudi_table(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    *,
    record_key: str,
    partition_keys: list[str] | None = None,
    table_type: str = COPY_ON_WRITE,
    sync_as_datasource: bool = True,
    bucket: str = "skoot-data-demo",
) -> str:
    """A new Hudi table holding ``data`` (its first commit), synced to Glue; returns its first instant."""
    database, table = database.lower(), table.lower()
    location = f"s3://{bucket}/{database}/{table}/"
    moto_state.ensure_bucket(bucket, region)
    tables.ensure_database(region, database)
    glue = moto_state.glue_backend(region)
    for name in glue_tables(table, table_type):
        if name in glue.databases[database].tables:
            tables.delete_table(region, database, name, location)
    keys = list(partition_keys or [])
    properties = {
        "hoodie.table.name": table,
        "hoodie.table.type": table_type,
        "hoodie.table.version": "6",
        "hoodie.table.recordkey.fields": record_key,
        "hoodie.table.partition.fields": ",".join(keys),
        "hoodie.table.base.file.format": "PARQUET",
        "hoodie.timeline.layout.version": "1",
        "hoodie.datasource.write.hive_style_partitioning": "false",
    }
    body = "".join(f"{k}={v}\n" for k, v in properties.items())
    moto_state.put_object(bucket, f"{database}/{table}/.hoodie/hoodie.properties", body.encode())
    for name, realtime in glue_tables(table, table_type).items():
        glue.create_table(database, name, _table_input(name, data, keys, location, realtime, sync_as_datasource))
    return commit_hudi(region, database, table, data)


def commit_hudi(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    *,
    delete_keys: list[Any] | None = None,
    complete: bool = True,
) -> str:
    """An upsert of ``data`` (and deletion of ``delete_keys``) as one instant; ``complete=False`` leaves it
    inflight (its files written, the timeline not completed). Returns the instant."""
    database, table = database.lower(), table.lower()
    info = moto_state.get_table_info(region, database, table) or moto_state.get_table_info(
        region, database, f"{table}_ro"
    )
    assert info is not None, f"no Hudi table {database}.{table} in Glue"
    location = info.location.rstrip("/") + "/"
    bucket, prefix = moto_state.split_s3_url(location)
    props = _properties(bucket, prefix)
    table_type, key = props["hoodie.table.type"], props["hoodie.table.recordkey.fields"]
    keys = [k for k in props.get("hoodie.table.partition.fields", "").split(",") if k]
    action = "commit" if table_type == COPY_ON_WRITE else "deltacommit"
    instant = _new_instant()
    timeline = f"{prefix}.hoodie/{instant}"
    moto_state.put_object(bucket, f"{timeline}.{action}.requested", b"")
    moto_state.put_object(
        bucket, f"{timeline}.{action}.inflight" if action != "commit" else f"{timeline}.inflight", b""
    )
    stats: dict[str, list[dict[str, Any]]] = {}
    deleted = {str(k) for k in delete_keys or []}
    for path in sorted(set(_partition_paths(data, keys)) | (_all_partition_paths(info) if deleted else set())):
        rows = data.filter(pc.equal(pa.array(_partition_paths(data, keys)), path)) if data.num_rows else data
        stats[path] = _write_partition(info, location, path, rows, key, instant, deleted, table_type)
    if complete:
        metadata = {"partitionToWriteStats": stats, "compacted": False, "operationType": "UPSERT"}
        moto_state.put_object(bucket, f"{timeline}.{action}", json.dumps(metadata).encode())
        _sync_partitions(region, database, table, table_type, location, keys, list(stats), instant)
    return instant


def _write_partition(
    info: moto_state.TableInfo,
    location: str,
    path: str,
    rows: pa.Table,
    key: str,
    instant: str,
    deleted: set[str],
    table_type: str,
) -> list[dict[str, Any]]:
    """New versions of the partition's file groups that hold updated or deleted keys, and a new file group for
    the new keys; the write stats of each file written."""
    bucket, prefix = moto_state.split_s3_url(location)
    directory = f"{prefix}{path}/" if path else prefix
    if path:
        depth = path.count("/") + 1
        marker = f"#partition metadata\ncommitTime={instant}\npartitionDepth={depth}\n"
        moto_state.put_object(bucket, f"{directory}.hoodie_partition_metadata", marker.encode())
    incoming = {str(v): i for i, v in enumerate(rows.column(key).to_pylist())}
    stats = []
    for old in hudi_tables.latest_base_files(info, f"s3://{bucket}/{directory}"):
        current = pq.read_table(io.BytesIO(moto_state.s3_backend().get_object(bucket, old.key).value))
        old_keys = [str(v) for v in current.column("_hoodie_record_key").to_pylist()]
        touched = [k for k in old_keys if k in incoming or k in deleted]
        if not touched:
            continue
        if table_type != COPY_ON_WRITE:
            raise ValueError("merge-on-read updates go to log files, which the stand-in does not model")
        keep = current.filter(pa.array([k not in incoming and k not in deleted for k in old_keys]))
        updates = rows.take(pa.array([incoming.pop(k) for k in touched if k in incoming], pa.int64()))
        file_id = old.key.rsplit("/", 1)[-1].split("_", 1)[0]
        stats.append(_write_base_file(bucket, directory, path, file_id, instant, key, updates, keep))
    new = rows.take(pa.array(sorted(incoming.values()), pa.int64()))
    if new.num_rows:
        stats.append(_write_base_file(bucket, directory, path, f"{uuid.uuid4()}-0", instant, key, new, None))
    return stats


def _write_base_file(
    bucket: str,
    directory: str,
    path: str,
    file_id: str,
    instant: str,
    key: str,
    rows: pa.Table,
    kept: pa.Table | None,
) -> dict[str, Any]:
    """One base file: ``kept`` records as they were (meta columns too), ``rows`` with new meta columns."""
    name = f"{file_id}_0-{next(_token)}-0_{instant}.parquet"
    meta = {
        "_hoodie_commit_time": [instant] * rows.num_rows,
        "_hoodie_commit_seqno": [f"{instant}_0_{i}" for i in range(rows.num_rows)],
        "_hoodie_record_key": [str(v) for v in rows.column(key).to_pylist()],
        "_hoodie_partition_path": [path] * rows.num_rows,
        "_hoodie_file_name": [name] * rows.num_rows,
    }
    written = pa.table(
        {
            **{k: pa.array(v, pa.string()) for k, v in meta.items()},
            **dict(zip(rows.column_names, rows.columns, strict=True)),
        }
    )
    if kept is not None and kept.num_rows:
        written = pa.concat_tables([kept, written.cast(kept.schema)])
    buf = io.BytesIO()
    pq.write_table(written, buf, coerce_timestamps="us", allow_truncated_timestamps=True)
    moto_state.put_object(bucket, f"{directory}{name}", buf.getvalue())
    return {"fileId": file_id, "path": f"{path}/{name}" if path else name, "numWrites": written.num_rows}


def _partition_paths(data: pa.Table, keys: list[str]) -> list[str]:
    """Each row's partition path as Hudi's key generator writes it without hive-style naming: `v1/v2`."""
    columns = [data.column(k).to_pylist() for k in keys]
    return ["/".join(tables.partition_value(v) for v in values) for values in zip(*columns, strict=True)] or (
        [""] * data.num_rows
    )


def _all_partition_paths(info: moto_state.TableInfo) -> set[str]:
    base = info.location.rstrip("/") + "/"
    return {location[len(base) :].rstrip("/") for _, location in info.partitions} if info.partitions else {""}


def _new_instant() -> str:
    """Hudi's instant time, `yyyyMMddHHmmssSSS` (UTC here), strictly increasing."""
    instant = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")[:17]
    if instant <= _last_instant[0]:
        instant = str(int(_last_instant[0]) + 1)
    _last_instant[0] = instant
    return instant


def _properties(bucket: str, prefix: str) -> dict[str, str]:
    body = moto_state.s3_backend().get_object(bucket, f"{prefix}.hoodie/hoodie.properties").value.decode()
    return dict(line.split("=", 1) for line in body.splitlines() if "=" in line and not line.startswith("#"))


def _table_input(
    name: str, data: pa.Table, keys: list[str], location: str, realtime: bool, sync_as_datasource: bool
) -> dict[str, Any]:
    columns, partition_keys = tables.glue_columns(data, keys, {}, {})
    meta = [{"Name": c, "Type": "string"} for c in META_COLUMNS]
    sd = tables.storage_descriptor(meta + columns, location, "parquet")
    sd["InputFormat"] = REALTIME_INPUT_FORMAT if realtime else INPUT_FORMAT
    sd["SerdeInfo"]["Parameters"] = {
        "hoodie.query.as.ro.table": "false" if realtime else "true",
        "path": location.rstrip("/"),
        "serialization.format": "1",
    }
    parameters = {"EXTERNAL": "TRUE", "hudi.metadata-listing-enabled": "false"}
    if sync_as_datasource:
        parameters.update(_spark_properties(meta + columns + partition_keys, keys))
    table_input = {"Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": parameters}
    return glue_names.table_input({**table_input, "PartitionKeys": partition_keys, "StorageDescriptor": sd})


def _spark_properties(columns: list[dict[str, Any]], keys: list[str]) -> dict[str, str]:
    """The Spark data-source properties hive-sync adds (hudi-sync-common SparkDataSourceTableUtils)."""
    fields = [
        {"name": c["Name"], "type": _SPARK_TYPES.get(c["Type"], c["Type"]), "nullable": True, "metadata": {}}
        for c in columns
    ]
    properties = {
        "spark.sql.sources.provider": "hudi",
        "spark.sql.sources.schema.numParts": "1",
        "spark.sql.sources.schema.part.0": json.dumps({"type": "struct", "fields": fields}),
        "spark.sql.sources.schema.numPartCols": str(len(keys)),
    }
    properties.update({f"spark.sql.sources.schema.partCol.{i}": k for i, k in enumerate(keys)})
    return properties


def _sync_partitions(
    region: str,
    database: str,
    table: str,
    table_type: str,
    location: str,
    keys: list[str],
    paths: list[str],
    instant: str,
) -> None:
    """Hive-sync after a commit: register the written partitions (values split from the path, as
    MultiPartKeysValueExtractor does) and record `last_commit_time_sync`."""
    glue = moto_state.glue_backend(region)
    for name in glue_tables(table, table_type):
        fake = glue.get_table(database, name)
        sd = fake.as_dict()["StorageDescriptor"]
        for path in paths if keys else []:
            values = path.split("/")
            if str(values) not in fake.partitions:
                glue.create_partition(
                    database, name, {"Values": values, "StorageDescriptor": {**sd, "Location": location + path}}
                )
        d = fake.as_dict()
        parameters = {**(d.get("Parameters") or {}), "last_commit_time_sync": instant}
        keep = ("Name", "TableType", "PartitionKeys", "StorageDescriptor")
        glue.update_table(database, name, {**{k: d[k] for k in keep if k in d}, "Parameters": parameters})
