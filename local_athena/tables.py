"""Write test tables: rows to moto S3 (Parquet/CSV/JSON, one file per partition per call) and Glue metadata.

Why: tests and the demo need realistic Hive-layout tables (``s3://bucket/db/table/k=v/part-*.parquet``) with
Glue tables and partitions exactly as a crawler or DDL would register them.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import uuid
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import glue_names, moto_state, orc_files
from .glue_types import arrow_to_glue
from .table_sources import HIVE_NULL

_FORMATS: dict[str, dict[str, Any]] = {
    "parquet": {
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "Parameters": {"serialization.format": "1"},
        },
    },
    "csv": {
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            "Parameters": {"field.delim": ",", "serialization.format": ","},
        },
    },
    "json": {
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe", "Parameters": {}},
    },
    "orc": orc_files.GLUE_FORMAT,
}
_EXT = {"parquet": "parquet", "csv": "csv", "json": "json", "orc": "orc"}
_counter = itertools.count()


def encode(table: pa.Table, fmt: str, tmp_root: str | None) -> bytes:
    if fmt == "parquet":
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="snappy")
        return buf.getvalue()
    if fmt == "orc":
        return orc_files.encode(table)
    conn = duckdb.connect()
    try:
        conn.register("rows_in", table)
        with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
            path = os.path.join(tmp, "out")
            if fmt == "csv":
                conn.execute(f"COPY rows_in TO '{path}' (FORMAT csv, HEADER false, NULLSTR '\\N', QUOTE '\"')")
            else:
                conn.execute(f"COPY rows_in TO '{path}' (FORMAT json)")
            with open(path, "rb") as fh:
                return fh.read()
    finally:
        conn.close()


def partition_value(v: Any) -> str:
    if v is None:
        return HIVE_NULL
    if hasattr(v, "isoformat"):
        return str(v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat())
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def storage_descriptor(columns: list[dict[str, Any]], location: str, fmt: str) -> dict[str, Any]:
    base = _FORMATS[fmt]
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": base["InputFormat"],
        "OutputFormat": base["OutputFormat"],
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {
            "SerializationLibrary": base["SerdeInfo"]["SerializationLibrary"],
            "Parameters": dict(base["SerdeInfo"]["Parameters"]),
        },
        "StoredAsSubDirectories": False,
    }


def ensure_database(region: str, database: str) -> None:
    """Create the Glue database unless it exists."""
    glue = moto_state.glue_backend(region)
    if database not in glue.databases:
        glue.create_database(database, {"Name": database, "Description": f"{database} (local stand-in)"}, None)


def _write_rows(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    partition_keys: list[str],
    location: str,
    fmt: str,
    sd: dict[str, Any],
    register: bool,
    tmp_root: str | None,
) -> None:
    glue = moto_state.glue_backend(region)
    fake = glue.get_table(database, table)
    bucket, prefix = moto_state.split_s3_url(location)
    data_cols = [c for c in data.column_names if c not in partition_keys]
    combos = data.select(partition_keys).group_by(partition_keys).aggregate([]).to_pylist() if partition_keys else [{}]
    for combo in combos:
        part = data
        for k, v in combo.items():
            mask = pc.is_null(part[k]) if v is None else pc.equal(part[k], pa.scalar(v, part.schema.field(k).type))
            part = part.filter(mask)
        values = [partition_value(combo[k]) for k in partition_keys]
        sub = "".join(f"{k}={v}/" for k, v in zip(partition_keys, values, strict=True))
        part_location = f"s3://{bucket}/{prefix}{sub}"
        name = f"part-{next(_counter):05d}-{uuid.uuid4().hex[:8]}.{_EXT[fmt]}"
        moto_state.put_object(bucket, f"{prefix}{sub}{name}", encode(part.select(data_cols), fmt, tmp_root))
        if partition_keys and register and str(values) not in fake.partitions:
            psd = dict(sd)
            psd["Location"] = part_location
            glue.create_partition(database, table, {"Values": values, "StorageDescriptor": psd})


def put_table(
    region: str,
    database: str,
    table: str,
    data: pa.Table,
    *,
    partition_keys: list[str] | None = None,
    glue_types: dict[str, str] | None = None,
    fmt: str = "parquet",
    bucket: str = "skoot-data-demo",
    table_type: str = "EXTERNAL_TABLE",
    parameters: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
    register_partitions: bool = True,
    view_sql: str | None = None,
    tmp_root: str | None = None,
) -> None:
    """Replace ``database.table`` with ``data`` (see LocalAthena.put_table); CSV/JSON are encoded under
    ``tmp_root``."""
    database, table = glue_names.glue_name(database, "databaseName"), glue_names.glue_name(table, "tableInput.name")
    partition_keys = list(partition_keys or [])
    glue_types = glue_types or {}
    if fmt not in _FORMATS:
        raise ValueError(f"fmt must be one of {sorted(_FORMATS)}")
    moto_state.ensure_bucket(bucket, region)
    ensure_database(region, database)
    glue = moto_state.glue_backend(region)
    location = f"s3://{bucket}/{database}/{table}/"
    if table in glue.databases[database].tables:
        delete_table(region, database, table, location)
    columns, keys = glue_columns(data, partition_keys, glue_types, comments or {})
    sd = storage_descriptor(columns, location, fmt)
    table_input: dict[str, Any] = {
        "Name": table,
        "TableType": table_type,
        "Parameters": {"classification": fmt, "EXTERNAL": "TRUE", **(parameters or {})},
        "PartitionKeys": keys,
        "StorageDescriptor": sd,
    }
    if view_sql is not None:
        cols = [(c["Name"], c["Type"]) for c in columns]
        table_input["TableType"] = "VIRTUAL_VIEW"
        table_input["ViewOriginalText"] = moto_state.encode_view_text(view_sql, database, cols)
        table_input["ViewExpandedText"] = "/* Presto View */"
        table_input["Parameters"] = {"presto_view": "true", "comment": "Presto View", **(parameters or {})}
        table_input["StorageDescriptor"] = {"Columns": columns, "SerdeInfo": {}}
        glue.create_table(database, table, table_input)
        return
    glue.create_table(database, table, table_input)
    _write_rows(region, database, table, data, partition_keys, location, fmt, sd, register_partitions, tmp_root)


def delete_table(region: str, database: str, table: str, location: str) -> None:
    """Remove a Glue table and the objects under its location (put_table replaces a table)."""
    moto_state.glue_backend(region).delete_table(database, table)
    bucket, prefix = moto_state.split_s3_url(location)
    backend = moto_state.s3_backend()
    for f in moto_state.list_objects(bucket, prefix):
        backend.delete_object(bucket, f.key)


def glue_columns(
    data: pa.Table, partition_keys: list[str], glue_types: dict[str, str], comments: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(columns, partition keys) as Glue keeps them: lower-case, single-line names (glue_names); the data files
    keep the names they were given."""

    def col(name: str) -> dict[str, Any]:
        c = {"Name": name, "Type": glue_types.get(name) or arrow_to_glue(data.schema.field(name).type)}
        if name in comments:
            c["Comment"] = comments[name]
        return c

    checked = glue_names.table_input(
        {
            "Name": "columns",
            "StorageDescriptor": {"Columns": [col(n) for n in data.column_names if n not in partition_keys]},
            "PartitionKeys": [col(k) for k in partition_keys],
        }
    )
    return checked["StorageDescriptor"]["Columns"], checked["PartitionKeys"]


def drop_database(region: str, database: str) -> None:
    """Delete a Glue database and the S3 objects under its tables' locations."""
    glue = moto_state.glue_backend(region)
    db = glue.databases.get(database)
    if db is None:
        return
    backend = moto_state.s3_backend()
    for fake in list(db.tables.values()):
        location = (fake.as_dict().get("StorageDescriptor") or {}).get("Location") or ""
        if location.startswith("s3://"):
            bucket, prefix = moto_state.split_s3_url(location)
            for f in moto_state.list_objects(bucket, prefix):
                backend.delete_object(bucket, f.key)
    glue.delete_database(database)


def append_rows(region: str, database: str, table: str, data: pa.Table, tmp_root: str | None = None) -> None:
    """New files for ``data`` in the table's existing/new partitions; new partitions are registered."""
    glue = moto_state.glue_backend(region)
    database, table = database.lower(), table.lower()
    d = glue.get_table(database, table).as_dict()
    sd = d["StorageDescriptor"]
    fmt = moto_state._fmt_of(sd)
    keys = [k["Name"] for k in d.get("PartitionKeys") or []]
    _write_rows(region, database, table, data, keys, sd["Location"], fmt, sd, True, tmp_root)
