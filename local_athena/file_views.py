"""DuckDB views over the data files of one query's Glue tables (Hive, Delta, Hudi and Iceberg), billed as Athena.

Why: reading a table means finding its files (pruned by partition and ``"$path"`` predicates), checking the
caller may read them, copying them locally and counting the bytes Athena would bill; the table resolver only
decides which table a reference names, and this module reads it.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from . import moto_state, path_column, requester_pays
from .caller_permissions import CallerPermissions
from .glue_types import duck_ident
from .iceberg_metadata_tables import requested_snapshot
from .iceberg_tables import current_table as iceberg_current_table
from .iceberg_tables import select_sql as iceberg_select_sql
from .query_context import CatalogEngine, Prepared
from .scanned_bytes import referenced_columns
from .table_files import file_groups
from .table_sources import empty_select, file_select, orc_scanned_bytes


class FileViews:
    """Creates one query's views that read tables from their files; adds what they read to ``prepared``."""

    def __init__(
        self,
        engine: CatalogEngine,
        conn: duckdb.DuckDBPyConnection,
        prepared: Prepared,
        permissions: CallerPermissions,
        requester_pays: bool,
    ) -> None:
        self.engine = engine
        self.conn = conn
        self.prepared = prepared
        self.permissions = permissions
        self.requester_pays = requester_pays  # the workgroup's RequesterPaysEnabled (requester_pays.py)

    def create_table_view(self, view: str, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr) -> None:
        """A Hive, Delta or Hudi table's files that survive pruning (table_files), in Glue's columns and types."""
        requester_pays.check_read(info.location, self.requester_pays)
        used = referenced_columns(ast, [name for name, _ in info.columns])
        lake_formation = self.engine.lake_formation
        # Lake Formation reads governed data with the credentials it vends: the caller's S3 grants do not apply.
        governed = lake_formation is not None and lake_formation.authorize_read(
            self.permissions.principal, info.database, info.name, info.location
        )
        check_location = (lambda _location: None) if governed else self.permissions.check_location
        groups = file_groups(info, nodes, self.engine.account_id, self.permissions.check_glue, check_location)
        with_path, path_conditions = path_column.is_selected(nodes), path_column.predicates(nodes)
        selects: list[str] = []
        for values, group in groups:
            files = path_column.prune(group, path_conditions)  # Athena skips files a "$path" predicate excludes
            if not files:
                continue
            paths = self._read(files, used, info.fmt, check=not governed, info=info)
            if with_path:  # one SELECT per file, each naming its file's "$path"
                selects += [
                    file_select(info, [p], values, path_column.uri(f)) for p, f in zip(paths, files, strict=True)
                ]
            else:
                selects.append(file_select(info, paths, values))
        if not selects:
            selects.append(empty_select(info, with_path=with_path))
        self.conn.execute(f"CREATE VIEW {duck_ident(view)} AS " + " UNION ALL ".join(selects))

    def create_iceberg_view(self, view: str, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr) -> None:
        """A snapshot's files (the current one, or `FOR VERSION AS OF`) with the current schema (iceberg_tables);
        Glue's columns are not used; `"$path"` prunes and names files as on a Hive table."""
        self.permissions.check_location(info.location)
        requester_pays.check_read(info.location, self.requester_pays)
        columns, files = iceberg_current_table(info, self.engine.account_id, requested_snapshot(nodes, info))
        files = path_column.prune(files, path_column.predicates(nodes))
        paths = self._read(files, referenced_columns(ast, [name for name, _ in columns]), "parquet")
        sql = iceberg_select_sql(columns, paths, [path_column.uri(f) for f in files], path_column.is_selected(nodes))
        self.conn.execute(f"CREATE VIEW {duck_ident(view)} AS {sql}")

    def _read(
        self,
        files: list[moto_state.S3File],
        used: set[str] | None,
        fmt: str,
        *,
        check: bool = True,
        info: moto_state.TableInfo | None = None,
    ) -> list[str]:
        """Local copies of files the query reads (each checked against the caller's permissions unless Lake
        Formation vends the access), billed."""
        for f in files if check else []:
            self.permissions.check_object(f)
        paths = [self.engine.cache.path_for(f, self.engine.account_id) for f in files]
        if fmt == "parquet":
            self.prepared.scanned_bytes += sum(self.engine.column_bytes.scanned(p, used) for p in paths)
        elif fmt == "orc" and info is not None:  # only the used columns' streams (table_sources, orc_files)
            self.prepared.scanned_bytes += sum(orc_scanned_bytes(info, p, used) for p in paths)
        else:
            self.prepared.scanned_bytes += sum(f.size for f in files)
        self.prepared.files_read.extend(f"s3://{f.bucket}/{f.key}" for f in files)
        return paths
