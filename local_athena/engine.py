"""Run Athena (Trino) SQL in DuckDB over the Glue catalog and S3 objects of moto.

Why: moto's Athena runs no SQL. Here every table a query names is resolved through Glue (columns, types,
partitions, location, format; table_resolver), only registered partitions that survive partition-key predicates
are read (so DataScannedInBytes behaves like Athena's), files are read natively by DuckDB from local copies
(file_views), and sqlglot transpiles Trino to DuckDB. This module parses, fixes up and transpiles the query and
owns the DuckDB connection it runs on.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import exp

from . import moto_state
from .json_casts import check_json_casts, queried_glue_columns
from .map_transforms import rewrite_map_transforms
from .query_context import Prepared
from .query_errors import AthenaQueryError
from .scanned_bytes import ParquetColumnBytes
from .sql_fixups import fix_decimal_literals, name_unnamed_columns
from .table_resolver import Resolver

if TYPE_CHECKING:
    from .iam import Principal
    from .lake_formation import LakeFormation

__all__ = ["Engine", "Prepared", "new_connection"]

_MACROS = [
    "SET lambda_syntax='ENABLE_SINGLE_ARROW'",
    # Athena's session time zone is UTC: CAST(timestamp with time zone AS timestamp) gives the UTC wall time.
    "SET TimeZone='UTC'",
    "CREATE OR REPLACE MACRO nan() AS CAST('nan' AS DOUBLE)",
    "CREATE OR REPLACE MACRO infinity() AS CAST('inf' AS DOUBLE)",
    # Trino's to_iso8601 renders a timestamp with time zone with its zone (https://trino.io/docs/current/functions/
    # datetime.html#to_iso8601; UTC as `Z`). DuckDB keeps only the instant, so it is rendered in UTC with `Z`.
    "CREATE OR REPLACE MACRO to_iso8601(x) AS CASE WHEN typeof(x) = 'DATE' THEN CAST(x AS VARCHAR) "
    "WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' "
    "THEN strftime(timezone('UTC', CAST(x AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%gZ') "
    "ELSE strftime(CAST(x AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END",
]


def new_connection(temp_dir: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection with the Trino compatibility macros (spills into ``temp_dir``)."""
    config: dict[str, Any] = {"threads": 2}
    if temp_dir:
        config["temp_directory"] = temp_dir
    conn = duckdb.connect(config=config)
    for stmt in _MACROS:
        with contextlib.suppress(duckdb.Error):
            conn.execute(stmt)
    return conn


class Engine:
    """Prepares queries for one region/account of the moto backends."""

    def __init__(
        self,
        cache: moto_state.LocalFileCache,
        region: str,
        account_id: str = moto_state.ACCOUNT_ID,
        temp_dir: str | None = None,
    ) -> None:
        self.cache = cache
        self.column_bytes = ParquetColumnBytes()
        self.temp_dir = temp_dir
        self.region = region
        self.account_id = account_id
        self.lake_formation: LakeFormation | None = None  # bound by the server

    def table_info(self, database: str, table: str) -> moto_state.TableInfo | None:
        """Glue lookup: exact name first, then lower-cased (Glue stores lower-case names)."""
        for db in dict.fromkeys([database, database.lower()]):
            for tb in dict.fromkeys([table, table.lower()]):
                info = moto_state.get_table_info(self.region, db, tb, self.account_id)
                if info is not None:
                    return info
        return None

    def table_info_db_missing(self, database: str) -> bool:
        """True if neither the name nor its lower-case form is a Glue database."""
        dbs = set(moto_state.list_databases(self.region, self.account_id))
        return database not in dbs and database.lower() not in dbs

    def prepare(
        self, sql: str, database: str | None, principal: Principal | None = None, requester_pays: bool = False
    ) -> Prepared:
        """Parse Trino SQL, resolve tables, prune partitions; returns DuckDB SQL on a ready connection."""
        try:
            ast = sqlglot.parse_one(sql, read="trino")
        except sqlglot.errors.SqlglotError as e:
            raise AthenaQueryError("SYNTAX_ERROR", f"line 1:1: {str(e).splitlines()[0]}") from e
        if ast is None:
            raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: empty query")
        if isinstance(ast, exp.Command):
            raise AthenaQueryError("NOT_SUPPORTED", f"line 1:1: statement not supported by the stand-in: {sql[:60]}")
        conn = new_connection(self.temp_dir)
        prepared = Prepared(conn=conn, sql="")
        try:
            fix_decimal_literals(ast)
            rewrite_map_transforms(ast)
            name_unnamed_columns(ast)
            glue_columns = queried_glue_columns(ast, self.table_info, database)
            Resolver(self, conn, prepared, principal, requester_pays).rewrite(ast, database)
            check_json_casts(conn, ast, glue_columns)  # refused at analysis, as Trino does (json_casts)
            prepared.sql = ast.sql(dialect="duckdb")
        except BaseException:
            conn.close()
            raise
        return prepared
