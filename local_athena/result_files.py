"""Athena's result artefacts: rendered rows, ``<id>.csv`` + ``.metadata``, GetQueryResults pages, UNLOAD files.

Why: the connector's three read paths (UNLOAD Parquet, result CSV, GetQueryResults) must see exactly what
Athena produces. Rendering happens inside DuckDB (vectorised SQL, no Python row loops) into a local Parquet
file of strings that pages are cut from; the CSV is written from it and stored in moto S3.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow.parquet as pq
from duckdb.sqltypes import DuckDBPyType

from . import moto_state
from .glue_types import duck_ident, duck_to_athena
from .hive_writable import check_hive_writable
from .query_errors import AthenaQueryError


def java_float_text(text: str) -> str:
    """Java's Double.toString for values outside [1e-3, 1e7): ``1.0E20``, ``1.5E-5`` (from the shortest repr)."""
    if text in ("nan", "NaN"):
        return "NaN"
    if text.lstrip("-") in ("inf", "infinity", "Infinity"):
        return "-Infinity" if text.startswith("-") else "Infinity"
    dec = Decimal(text)
    sign, digits, exponent = dec.normalize().as_tuple()
    ds = "".join(str(d) for d in digits)
    exp10 = len(ds) - 1 + int(exponent)
    mantissa = ds[0] + "." + (ds[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{exp10}"


def _children(t: DuckDBPyType) -> dict[str, DuckDBPyType]:
    return {name: child for name, child in t.children if isinstance(child, DuckDBPyType)}


def render_sql(x: str, t: DuckDBPyType, depth: int = 0) -> str:
    """SQL expression rendering ``x`` (of DuckDB type ``t``) as Athena's text (NULL stays NULL)."""
    tid = t.id
    v = f"__e{depth}"
    if tid == "varchar":
        return x
    if tid in ("double", "float"):
        return (
            f"CASE WHEN isnan({x}) THEN 'NaN' WHEN isinf({x}) AND {x} > 0 THEN 'Infinity' "
            f"WHEN isinf({x}) THEN '-Infinity' WHEN {x} = 0 OR (abs({x}) >= 0.001 AND abs({x}) < 10000000) "
            f"THEN CAST({x} AS VARCHAR) ELSE __java_fp(CAST({x} AS VARCHAR)) END"
        )
    if tid.startswith("timestamp") and "zone" not in str(t).lower():
        return f"strftime(CAST({x} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%g')"
    if tid == "time":  # Athena's text of a time(3) keeps its 3 fraction digits (Trino: "12:00:00.000")
        return f"strftime(DATE '1970-01-01' + {x}, '%H:%M:%S.%g')"
    if tid == "blob":
        return f"rtrim(regexp_replace(lower(hex({x})), '(..)', '\\1 ', 'g'))"
    if tid == "list" or tid == "array":
        child = _children(t)["child"]
        inner = render_sql(v, child, depth + 1)
        return f"('[' || array_to_string(list_transform({x}, {v} -> coalesce({inner}, 'null')), ', ') || ']')"
    if tid == "map":
        ch = _children(t)
        k = render_sql(f"{v}.key", ch["key"], depth + 1)
        val = render_sql(f"{v}.value", ch["value"], depth + 1)
        return (
            f"('{{' || array_to_string(list_transform(map_entries({x}), {v} -> "
            f"coalesce({k}, 'null') || '=' || coalesce({val}, 'null')), ', ') || '}}')"
        )
    if tid == "struct":
        parts = []
        for name, ct in _children(t).items():
            field = f"struct_extract({x}, '{name.replace(chr(39), chr(39) * 2)}')"
            lit = (name + "=").replace("'", "''")
            parts.append(f"'{lit}' || coalesce({render_sql(field, ct, depth + 1)}, 'null')")
        body = " || ', ' || ".join(parts) if parts else "''"
        return f"CASE WHEN {x} IS NULL THEN NULL ELSE '{{' || {body} || '}}' END"
    return f"CAST({x} AS VARCHAR)"


def register_functions(conn: duckdb.DuckDBPyConnection) -> None:
    """Python helpers the rendering SQL calls (only for rare values: doubles in scientific notation)."""
    with contextlib.suppress(duckdb.Error):
        conn.create_function("__java_fp", java_float_text, ["VARCHAR"], "VARCHAR")


def column_info(names: list[str], types: list[DuckDBPyType]) -> list[dict[str, Any]]:
    """ResultSetMetadata.ColumnInfo in Athena's shape."""
    out = []
    for name, t in zip(names, types, strict=True):
        type_name, precision, scale = duck_to_athena(t)
        out.append(
            {
                "CatalogName": "hive",
                "SchemaName": "",
                "TableName": "",
                "Name": name,
                "Label": name,
                "Type": type_name,
                "Precision": precision,
                "Scale": scale,
                "Nullable": "UNKNOWN",
                "CaseSensitive": type_name in ("varchar", "char"),
            }
        )
    return out


@dataclass
class ResultHandle:
    """A finished SELECT's rendered rows: the local copy of ``<id>.csv`` (+ a Parquet index made on demand)."""

    csv_path: str
    columns: list[dict[str, Any]]
    row_count: int
    parquet_path: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def write_select(
    conn: duckdb.DuckDBPyConnection,
    sql: str,
    tmpdir: str,
    exec_id: str,
    output_location: str,
    account_id: str = moto_state.ACCOUNT_ID,
) -> ResultHandle:
    """Run the SELECT once, rendering into ``<id>.csv`` (kept locally, stored in S3) and ``.csv.metadata``."""
    register_functions(conn)
    rel = conn.sql(sql)
    names = [n.lower() for n in rel.columns]  # Trino folds identifiers (aliases too) to lower case
    types = list(rel.types)
    cols = column_info(names, types)
    aliases = [f"c{i}" for i in range(len(names))]
    rendered = ", ".join(
        f"{render_sql(duck_ident(a), t)} AS {duck_ident(n)}" for a, t, n in zip(aliases, types, names, strict=True)
    )
    local_csv = os.path.join(tmpdir, f"{exec_id}.csv")
    src = f"({sql}) AS __q({', '.join(aliases)})"
    count = conn.execute(
        f"COPY (SELECT {rendered} FROM {src}) TO '{local_csv}' "
        "(FORMAT csv, HEADER, FORCE_QUOTE *, NULLSTR '', QUOTE '\"', ESCAPE '\"')"
    ).fetchone()
    row_count = int(count[0]) if count else 0
    bucket, prefix = moto_state.split_s3_url(output_location)
    with open(local_csv, "rb") as fh:
        moto_state.put_object(bucket, prefix + f"{exec_id}.csv", fh.read(), account_id)
    meta = json.dumps({"ColumnInfo": cols}).encode()
    moto_state.put_object(bucket, prefix + f"{exec_id}.csv.metadata", meta, account_id)
    return ResultHandle(local_csv, cols, row_count)


def _parquet_index(handle: ResultHandle) -> str:
    """Convert the local CSV to Parquet once (fast LIMIT/OFFSET paging), keeping NULL and "" apart."""
    with handle.lock:
        if handle.parquet_path is None:
            path = handle.csv_path[: -len(".csv")] + ".parquet"
            cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(handle.columns)))
            conn = duckdb.connect()
            try:
                conn.execute(
                    f"COPY (SELECT * FROM read_csv('{handle.csv_path}', header=false, skip=1, delim=',', "
                    "quote='\"', escape='\"', allow_quoted_nulls=false, nullstr='', strict_mode=true, "
                    f"columns={{{cols}}})) TO '{path}' (FORMAT parquet, COMPRESSION snappy)"
                )
            finally:
                conn.close()
            handle.parquet_path = path
        return handle.parquet_path


def read_rows(handle: ResultHandle, offset: int, limit: int) -> list[list[str | None]]:
    """Rendered rows [offset, offset+limit) of a finished result."""
    if limit <= 0 or offset >= handle.row_count:
        return []
    path = _parquet_index(handle)
    conn = duckdb.connect()
    try:
        rows = conn.execute(f"SELECT * FROM read_parquet('{path}') LIMIT {int(limit)} OFFSET {int(offset)}").fetchall()
    finally:
        conn.close()
    return [list(r) for r in rows]


ROWS_PER_UNLOAD_FILE = 256 * 1024


def write_unload(
    conn: duckdb.DuckDBPyConnection,
    sql: str,
    target: str,
    options: dict[str, str],
    tmpdir: str,
    exec_id: str,
    output_location: str,
    account_id: str = moto_state.ACCOUNT_ID,
) -> tuple[list[str], str]:
    """Write the SELECT's rows as Parquet files under ``target`` plus a manifest; returns (files, manifest URI)."""
    fmt = options.get("format", "PARQUET").upper()
    if fmt != "PARQUET":
        raise AthenaQueryError("NOT_SUPPORTED", f"UNLOAD format {fmt} is not supported by the stand-in")
    compression = options.get("compression", "SNAPPY").upper()
    codec = {"SNAPPY": "snappy", "GZIP": "gzip", "ZSTD": "zstd", "NONE": "none", "LZ4": "lz4"}.get(
        compression, "snappy"
    )
    level = 1 if codec in ("gzip", "zstd") else None
    bucket, prefix = moto_state.split_s3_url(target)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    relation = conn.sql(sql)
    check_hive_writable(list(relation.types))  # hive_writable: refused at any depth, as Athena does
    reader = relation.to_arrow_reader(65536)
    files: list[str] = []
    writer: pq.ParquetWriter | None = None
    rows_in_file = 0
    local = ""

    def flush() -> None:
        nonlocal writer, rows_in_file
        if writer is None:
            return
        writer.close()
        name = f"{exec_id}_{len(files):05d}"
        with open(local, "rb") as fh:
            moto_state.put_object(bucket, prefix + name, fh.read(), account_id)
        os.remove(local)
        files.append(f"s3://{bucket}/{prefix}{name}")
        writer = None
        rows_in_file = 0

    for batch in reader:
        while batch.num_rows > 0:
            if writer is None:
                local = os.path.join(tmpdir, f"{exec_id}-unload.parquet")
                writer = pq.ParquetWriter(
                    local,
                    batch.schema,
                    compression=codec,
                    compression_level=level,
                    coerce_timestamps="ms",
                    allow_truncated_timestamps=True,
                )
            room = ROWS_PER_UNLOAD_FILE - rows_in_file
            part, batch = batch.slice(0, room), batch.slice(room)
            writer.write_batch(part)
            rows_in_file += part.num_rows
            if rows_in_file >= ROWS_PER_UNLOAD_FILE:
                flush()
    flush()
    rb, rprefix = moto_state.split_s3_url(output_location)
    manifest_key = rprefix + f"{exec_id}-manifest.csv"
    body = "".join(f + "\n" for f in files).encode()
    moto_state.put_object(rb, manifest_key, body, account_id)
    # "Athena generates a metadata file and data manifest file for each UNLOAD query", both in the query result
    # location (https://docs.aws.amazon.com/athena/latest/ug/unload.html; names as in
    # https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html). Content: ColumnInfo JSON.
    metadata = json.dumps(column_info(relation.columns, relation.types)).encode()
    moto_state.put_object(rb, rprefix + f"{exec_id}.metadata", metadata, account_id)
    return files, f"s3://{rb}/{manifest_key}"
