"""Athena's ``information_schema`` tables (schemata, tables, views, columns), built from Glue for one query.

Why: Athena answers information_schema from the Glue catalog, showing only the databases and tables the caller
may list (glue:GetDatabases, glue:GetTables); DuckDB's own information_schema knows nothing of Glue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from . import moto_state
from .arns import glue_database_arn, glue_table_arns
from .glue_types import duck_ident, parse_glue_type, trino_type_name
from .query_errors import AthenaQueryError

if TYPE_CHECKING:
    from .iam import Principal

_TABLES_COLUMNS = "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR"

# Each table's DuckDB columns, as Trino shapes them.
_COLUMN_DEFINITIONS: dict[str, str] = {
    "schemata": "catalog_name VARCHAR, schema_name VARCHAR",
    "tables": _TABLES_COLUMNS,
    "views": _TABLES_COLUMNS,
    "columns": (
        "table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, "
        "ordinal_position BIGINT, column_default VARCHAR, is_nullable VARCHAR, data_type VARCHAR, comment VARCHAR, "
        "extra_info VARCHAR"
    ),
}

Row = tuple[object, ...]


def athena_display_type(gtype: str) -> str:
    """Glue type -> the type text Athena shows in information_schema.columns (``array(varchar)``…)."""
    return trino_type_name(parse_glue_type(gtype))


def build_information_schema(
    conn: duckdb.DuckDBPyConnection,
    view: str,
    name: str,
    region: str,
    account_id: str,
    principal: Principal | None = None,
) -> None:
    """Materialise the information_schema table ``name`` as DuckDB table ``view`` (what the caller may list)."""
    if name not in _COLUMN_DEFINITIONS:
        raise AthenaQueryError(
            "TABLE_NOT_FOUND", f"line 1:15: Table 'awsdatacatalog.information_schema.{name}' does not exist"
        )
    catalog = _ListableCatalog(region, account_id, principal)
    if name == "schemata":
        rows = catalog.schemata_rows()
    elif name == "columns":
        rows = catalog.columns_rows()
    else:
        rows = catalog.tables_rows(views_only=name == "views")
    conn.execute(f"CREATE TABLE {duck_ident(view)} ({_COLUMN_DEFINITIONS[name]})")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {duck_ident(view)} VALUES ({marks})", rows)


@dataclass
class _ListableCatalog:
    """The Glue catalog of one region and account as the caller may list it (``principal`` None: all of it)."""

    region: str
    account_id: str
    principal: Principal | None

    def schemata_rows(self) -> list[Row]:
        rows: list[Row] = [("awsdatacatalog", db) for db in self._databases()]
        rows.append(("awsdatacatalog", "information_schema"))
        return rows

    def tables_rows(self, *, views_only: bool) -> list[Row]:
        rows: list[Row] = []
        for db in self._databases():
            for tb in self._tables(db):
                info = moto_state.get_table_info(self.region, db, tb, self.account_id)
                is_view = info is not None and info.view_sql is not None
                if views_only and not is_view:
                    continue
                rows.append(("awsdatacatalog", db, tb, "VIEW" if is_view else "BASE TABLE"))
        return rows

    def columns_rows(self) -> list[Row]:
        rows: list[Row] = []
        for db in self._databases():
            for tb in self._tables(db):
                info = moto_state.get_table_info(self.region, db, tb, self.account_id)
                if info is None:
                    continue
                columns: list[tuple[str, str, str | None]] = [(n, t, None) for n, t in info.columns]
                columns += [(n, t, "partition key") for n, t in info.partition_keys]
                for i, (n, t, extra) in enumerate(columns, start=1):
                    rows.append(("awsdatacatalog", db, tb, n, i, None, "YES", athena_display_type(t), None, extra))
        return rows

    def _databases(self) -> list[str]:
        dbs = moto_state.list_databases(self.region, self.account_id)
        if self.principal is None:
            return dbs
        principal = self.principal
        return [
            db
            for db in dbs
            if principal.decide("glue:GetDatabases", glue_database_arn(self.region, self.account_id, db))
        ]

    def _tables(self, db: str) -> list[str]:
        tables = moto_state.list_tables(self.region, db, self.account_id)
        if self.principal is None:
            return tables
        principal = self.principal
        return [
            tb
            for tb in tables
            if principal.decide("glue:GetTables", glue_table_arns(self.region, self.account_id, db, tb)[-1])
        ]
