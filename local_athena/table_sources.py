"""DuckDB SELECTs that read one Glue table's files the way Athena's SerDes do, typed by the Glue columns.

Why: Athena trusts the catalog, not the file: each column is read by name (Parquet, JSON) or position (CSV; ORC
unless its SerDe says by name: orc_files) and cast to its Glue type (a Parquet/ORC char padded: char_values),
missing columns are NULL, partition values come from the partition, not the file.
"""

from __future__ import annotations

import pyarrow.parquet as pq

from . import orc_files
from .char_values import padded_chars
from .glue_types import duck_ident, glue_to_duck, parse_glue_type
from .moto_state import TableInfo
from .path_column import PATH
from .text_serdes import csv_select, json_select

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # Hive's partition value for NULL


def file_select(info: TableInfo, paths: list[str], values: list[str], s3_path: str | None = None) -> str:
    """SELECT the table's columns (then its partition keys, from ``values``) from local copies of its files; with
    ``s3_path`` (one file), also Athena's ``"$path"`` pseudo-column (path_column.py)."""
    path_list = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    if info.fmt == "parquet":
        exprs, source = _parquet(info, paths, path_list)
    elif info.fmt == "orc":
        exprs, source = _orc(info, paths)
    elif info.fmt == "json":
        exprs, source = json_select(info, paths)
    else:
        exprs, source = csv_select(info, paths)
    for (name, gtype), value in zip(info.partition_keys, values, strict=False):
        lit = "NULL" if value == HIVE_NULL else "'" + value.replace("'", "''") + "'"
        exprs.append(f"CAST({lit} AS {glue_to_duck(gtype)}) AS {duck_ident(name.lower())}")
    if s3_path is not None:
        exprs.append("'" + s3_path.replace("'", "''") + f"' AS {duck_ident(PATH)}")
    return f"SELECT {', '.join(exprs) or '1 AS __dummy'} FROM {source}"


def empty_select(info: TableInfo, *, with_path: bool = False) -> str:
    """A typed, empty SELECT of the table's columns (a table without data files), with ``"$path"`` if asked."""
    cols = [
        f"CAST(NULL AS {glue_to_duck(t)}) AS {duck_ident(n.lower())}" for n, t in info.columns + info.partition_keys
    ]
    cols += [f"CAST(NULL AS VARCHAR) AS {duck_ident(PATH)}"] if with_path else []
    return "SELECT " + ", ".join(cols) + " WHERE false"


def _parquet(info: TableInfo, paths: list[str], path_list: str, by_position: bool = False) -> tuple[list[str], str]:
    """Columns by name, case-insensitively (Glue names are lower case, the files' need not be); with
    ``by_position``, Glue's i-th column is the files' column named ``orc_files.position_name(i)``."""
    present: dict[str, str] = {}
    for p in paths:
        for name in pq.read_schema(p).names:
            present.setdefault(name.lower(), name)
    exprs = []
    for index, (name, gtype) in enumerate(info.columns):
        dt = glue_to_duck(gtype)
        src = present.get(orc_files.position_name(index) if by_position else name.lower())
        value = (
            padded_chars(f"CAST({duck_ident(src)} AS {dt})", parse_glue_type(gtype)) if src else f"CAST(NULL AS {dt})"
        )
        exprs.append(f"{value} AS {duck_ident(name.lower())}")
    return exprs, f"read_parquet({path_list}, union_by_name=true)"


def _orc(info: TableInfo, paths: list[str]) -> tuple[list[str], str]:
    """Each ORC file through its Parquet copy (orc_files), by index or by name as the SerDe says."""
    by_index = orc_files.reads_by_index(info.serde_parameters)
    copies = [orc_files.parquet_copy(p, by_index) for p in paths]
    path_list = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in copies) + "]"
    return _parquet(info, copies, path_list, by_position=by_index)


def orc_scanned_bytes(info: TableInfo, path: str, used: set[str] | None) -> int:
    """Bytes Athena reads of one ORC file for a query using Glue columns ``used`` (None: all): the streams of
    the file columns they map to (by index or by name, as the read does)."""
    if used is None:
        return orc_files.scanned_bytes(path, None)
    if orc_files.reads_by_index(info.serde_parameters):
        columns = [i for i, (name, _) in enumerate(info.columns) if name.lower() in used]
    else:
        columns = [i for i, name in enumerate(orc_files.file_columns(path)) if name.lower() in used]
    return orc_files.scanned_bytes(path, columns)
