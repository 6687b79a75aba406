"""Athena's Iceberg metadata table `"t$files"`: the live data files of the table's current snapshot.

Also `FOR VERSION AS OF` (requested_snapshot). Why: a connector plans chunks of a big Iceberg table from it. Athena: "`$files` – Shows a table's current data
files" (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-table-data.html, "Query Iceberg table
metadata"), one row per live file of the current snapshot, with the data_file fields of the table spec
(https://iceberg.apache.org/spec/#manifests: `content` 0 data / 1 position deletes / 2 equality deletes,
`file_path`, `file_format`, `record_count`, `file_size_in_bytes`); Trino's FilesTable
(plugin/trino-iceberg .../system/FilesTable.java) has the same columns first, then per-column statistics, which
are not modelled. A `$`-suffix Athena does not have, or a `$files` of a table that is not Iceberg, is
TABLE_NOT_FOUND as for any unknown name.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from . import moto_state
from .glue_types import duck_ident
from .iceberg_tables import data_file_entries, is_iceberg, table_metadata
from .query_errors import AthenaQueryError

COLUMNS = (
    ("content", "INTEGER"),
    ("file_path", "VARCHAR"),
    ("file_format", "VARCHAR"),
    ("record_count", "BIGINT"),
    ("file_size_in_bytes", "BIGINT"),
)
KINDS = ("files",)


def split_name(name: str) -> tuple[str, str] | None:
    """`t$files` -> (`t`, `files`); None for a plain name."""
    base, sep, kind = name.rpartition("$")
    return (base, kind.lower()) if sep and base else None


def create_table(
    conn: duckdb.DuckDBPyConnection,
    view: str,
    info: moto_state.TableInfo | None,
    node: exp.Table,
    database: str,
    account: str,
) -> str:
    """Materialise the metadata table ``node`` names (of table ``info``) as DuckDB table ``view``; returns its
    name. Metadata tables have no versions (Trino: a `$partitions` FOR VERSION AS OF fails the same way)."""
    _, kind = split_name(node.name) or (node.name, "")
    if info is None or not is_iceberg(info.parameters) or kind not in KINDS:
        shown = f"awsdatacatalog.{database.lower()}.{node.name.lower()}"
        raise AthenaQueryError("TABLE_NOT_FOUND", f"line 1:15: Table '{shown}' does not exist")
    if node.args.get("version") is not None:
        raise AthenaQueryError("NOT_SUPPORTED", "This connector does not support versioned tables")
    entries = data_file_entries(table_metadata(info, account), None, account)
    conn.execute(f"CREATE TABLE {duck_ident(view)} ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")
    rows = [[e.get("content", 0), *(e[n] for n, _ in COLUMNS[1:])] for e in entries]
    if rows:
        conn.executemany(f"INSERT INTO {duck_ident(view)} VALUES (?, ?, ?, ?, ?)", rows)
    return view


def requested_snapshot(nodes: list[exp.Table], info: moto_state.TableInfo) -> int | None:
    """The snapshot a `FOR VERSION AS OF <id>` names (None without one). Only Iceberg tables have versions: any
    other table fails as Trino's connectors without versions do (NOT_SUPPORTED "This connector does not support
    versioned tables", trinodb/trino core/trino-spi ConnectorMetadata.getTableHandle; Athena has no time travel
    for Delta: https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables.html)."""
    versions = [n.args["version"] for n in nodes if n.args.get("version") is not None]
    if not versions:
        return None
    if not is_iceberg(info.parameters):
        raise AthenaQueryError("NOT_SUPPORTED", "This connector does not support versioned tables")
    version = versions[0]
    literal = version.expression
    if str(version.this).upper() != "VERSION" or not isinstance(literal, exp.Literal) or literal.is_string:
        raise AthenaQueryError("NOT_SUPPORTED", f"version travel not modelled by the stand-in: {version.sql()}")
    return int(literal.this)
