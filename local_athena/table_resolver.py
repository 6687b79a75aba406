"""Resolve the tables a query names through Glue into DuckDB views on the query's connection.

Why: Athena resolves every table reference in the catalog (with the caller's Glue permissions) and reads its
kind: an Athena view's SQL is expanded in place, an Iceberg metadata table (``"t$files"``) and information_schema
come from the catalog, and a data table is read from its files (file_views). The engine only parses and
transpiles; this module decides what each name means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import sqlglot
from sqlglot import exp

from . import moto_state
from .caller_permissions import CallerPermissions
from .file_views import FileViews
from .glue_types import duck_ident
from .iceberg_metadata_tables import create_table as create_metadata_table
from .iceberg_metadata_tables import requested_snapshot, split_name
from .iceberg_tables import is_iceberg
from .information_schema import build_information_schema
from .query_context import CatalogEngine, Prepared
from .query_errors import AthenaQueryError
from .sql_fixups import fix_decimal_literals
from .table_files import refuse_unrunnable

if TYPE_CHECKING:
    from .iam import Principal

_MAX_VIEW_DEPTH = 8  # Athena views within views, expanded before refusing the query


def _source_position(node: exp.Expr) -> str:
    """Trino's ``line L:C`` of where a table reference starts in the query text, for error messages."""
    ident = node.this if isinstance(node, exp.Table) else node
    meta = getattr(ident, "meta", None) or {}
    line, col = meta.get("line", 1), meta.get("col", 1)
    return f"line {line}:{max(1, int(col) - len(ident.name) + 1) if 'col' in meta else 1}"


def _replace_with(node: exp.Table, view: str, alias: str) -> None:
    """Make the reference ``node`` read DuckDB view (or table) ``view``, keeping the name the query uses."""
    new = exp.Table(this=exp.to_identifier(view, quoted=True))
    new.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    node.replace(new)


class Resolver:
    """Resolves table references of one query into DuckDB views on one connection."""

    def __init__(
        self,
        engine: CatalogEngine,
        conn: duckdb.DuckDBPyConnection,
        prepared: Prepared,
        principal: Principal | None = None,
        requester_pays: bool = False,
    ) -> None:
        self.engine = engine
        self.conn = conn
        # principal: the caller under IAM enforcement (Athena has no service role); None when not enforced
        self.permissions = CallerPermissions(principal, engine.region, engine.account_id)
        self.file_views = FileViews(engine, conn, prepared, self.permissions, requester_pays)
        self.created_count = 0  # views and tables created so far on ``conn``: numbers their names
        self.table_views: dict[tuple[str, str], str] = {}  # (database, table) -> its view
        self.information_schema_views: dict[str, str] = {}  # information_schema table -> its DuckDB table

    def rewrite(self, ast: exp.Expr, database: str | None, depth: int = 0) -> None:
        """Replace every catalog table in ``ast`` by a DuckDB view reading its (pruned) files."""
        if depth > _MAX_VIEW_DEPTH:
            raise AthenaQueryError("GENERIC_USER_ERROR", "View nesting too deep")
        cte_names = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}
        # Group references per table so partition pruning takes the union of what each reference needs.
        references: dict[tuple[str, str], list[exp.Table]] = {}
        tables: dict[tuple[str, str], moto_state.TableInfo] = {}
        for node in [node for node in ast.find_all(exp.Table) if node.name]:
            info = self._glue_table(node, database, cte_names)
            if info is not None:
                references.setdefault((info.database, info.name), []).append(node)
                tables[(info.database, info.name)] = info
        for key, nodes in references.items():
            if key not in self.table_views:
                self.table_views[key] = self._create_view(tables[key], nodes, ast, depth)
            for node in nodes:
                _replace_with(node, self.table_views[key], node.alias or node.name)

    def _create_view(self, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr, depth: int) -> str:
        """A DuckDB view for one catalog table or view; returns its name."""
        refuse_unrunnable(info, nodes)
        self.created_count += 1
        view = f"__t{self.created_count}_{info.name}"
        if info.view_sql is not None:
            self._create_athena_view(view, info, depth)
        elif is_iceberg(info.parameters):
            self.file_views.create_iceberg_view(view, info, nodes, ast)
        else:
            requested_snapshot(nodes, info)  # refused: not an Iceberg table
            self.file_views.create_table_view(view, info, nodes, ast)
        return view

    def _glue_table(self, node: exp.Table, database: str | None, cte_names: set[str]) -> moto_state.TableInfo | None:
        """The Glue table a reference names (None for CTEs, DDL targets and information_schema, handled here)."""
        if (not node.db and node.name.lower() in cte_names) or isinstance(node.parent, exp.Schema | exp.Create):
            return None
        catalog = node.catalog.lower() if node.catalog else "awsdatacatalog"
        db = node.db or database
        if db and db.lower() == "information_schema":
            self._replace_information_schema(node)
            return None
        if not db:
            raise AthenaQueryError(
                "SCHEMA_NOT_FOUND",
                f"{_source_position(node)}: Schema must be specified when session schema is not set",
            )
        if catalog != "awsdatacatalog":
            raise AthenaQueryError("TABLE_NOT_FOUND", f"{_source_position(node)}: Catalog '{catalog}' does not exist")
        if split_name(node.name) is not None:  # an Iceberg metadata table ("t$files")
            self._replace_metadata_table(node, db)
            return None
        self.permissions.check_glue("glue:GetTable", db, node.name)
        info = self.engine.table_info(db, node.name)
        if info is None:
            if self.engine.table_info_db_missing(db):
                raise AthenaQueryError(
                    "SCHEMA_NOT_FOUND", f"{_source_position(node)}: Schema '{db.lower()}' does not exist"
                )
            raise AthenaQueryError(
                "TABLE_NOT_FOUND",
                f"{_source_position(node)}: Table 'awsdatacatalog.{db.lower()}.{node.name.lower()}' does not exist",
            )
        return info

    def _create_athena_view(self, view: str, info: moto_state.TableInfo, depth: int) -> None:
        """An Athena view: its Trino SQL, with its own table references resolved, as a DuckDB view."""
        assert info.view_sql is not None
        try:
            inner = sqlglot.parse_one(info.view_sql, read="trino")
        except sqlglot.errors.ParseError as e:
            raise AthenaQueryError("SYNTAX_ERROR", f"view {info.name}: {e}") from e
        fix_decimal_literals(inner)
        self.rewrite(inner, info.database, depth + 1)
        self.conn.execute(f"CREATE VIEW {duck_ident(view)} AS {inner.sql(dialect='duckdb')}")

    def _replace_metadata_table(self, node: exp.Table, database: str) -> None:
        """`"t$files"` as a DuckDB table (iceberg_metadata_tables), read with GetTable like its table."""
        base, _ = split_name(node.name) or (node.name, "")
        self.permissions.check_glue("glue:GetTable", database, base)
        info = self.engine.table_info(database, base)
        if info is not None:  # Athena reads the metadata files with the caller's permissions
            self.permissions.check_location(info.location)
        self.created_count += 1
        view = create_metadata_table(
            self.conn, f"__m{self.created_count}", info, node, database, self.engine.account_id
        )
        _replace_with(node, view, node.alias or node.name)

    def _replace_information_schema(self, node: exp.Table) -> None:
        """An information_schema table, built from Glue once per query (information_schema)."""
        name = node.name.lower()
        if name not in self.information_schema_views:
            self.created_count += 1
            view = f"__is{self.created_count}_{name}"
            build_information_schema(
                self.conn, view, name, self.engine.region, self.engine.account_id, self.permissions.principal
            )
            self.information_schema_views[name] = view
        _replace_with(node, self.information_schema_views[name], node.alias or node.name)
