"""Run Athena (Trino) SQL in DuckDB over the Glue catalog and S3 objects of moto.

Why: moto's Athena runs no SQL. Here every table a query names is resolved through Glue (columns, types,
partitions, location, format), only registered partitions that survive partition-key predicates are read
(so DataScannedInBytes behaves like Athena's), files are read natively by DuckDB from local copies, and
sqlglot transpiles Trino to DuckDB.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from . import moto_state, path_column, requester_pays
from .arns import glue_table_arns
from .glue_types import duck_ident, parse_glue_type, trino_type_name
from .iceberg_metadata_tables import create_table as create_metadata_table
from .iceberg_metadata_tables import requested_snapshot, split_name
from .iceberg_tables import current_table as iceberg_current_table
from .iceberg_tables import is_iceberg
from .iceberg_tables import select_sql as iceberg_select_sql
from .json_casts import check_json_casts, queried_glue_columns
from .map_transforms import rewrite_map_transforms
from .query_errors import AthenaQueryError, glue_denied, s3_read_denied
from .scanned_bytes import ParquetColumnBytes, referenced_columns
from .table_files import file_groups, refuse_unrunnable
from .table_sources import empty_select, file_select, orc_scanned_bytes

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


@dataclass
class Prepared:
    """A query ready to run: DuckDB SQL on a connection whose views point at the table files."""

    conn: duckdb.DuckDBPyConnection
    sql: str
    scanned_bytes: int = 0
    files_read: list[str] = field(default_factory=list)


def _position(node: exp.Expr) -> str:
    ident = node.this if isinstance(node, exp.Table) else node
    meta = getattr(ident, "meta", None) or {}
    line, col = meta.get("line", 1), meta.get("col", 1)
    return f"line {line}:{max(1, int(col) - len(ident.name) + 1) if 'col' in meta else 1}"


def _fix_decimal_literals(ast: exp.Expr) -> None:
    """``DECIMAL '1.50'`` is decimal(3,2) in Trino; sqlglot leaves a bare DECIMAL (DuckDB: 18,3)."""
    for cast in list(ast.find_all(exp.Cast)):
        to = cast.args.get("to")
        if (
            isinstance(to, exp.DataType)
            and to.this == exp.DataType.Type.DECIMAL
            and not to.expressions
            and isinstance(cast.this, exp.Literal)
            and cast.this.is_string
        ):
            try:
                dec = Decimal(cast.this.this.strip())
            except InvalidOperation:
                continue
            _sign, digits, exponent = dec.as_tuple()
            scale = max(0, -int(exponent))
            precision = max(len(digits), scale, 1)
            cast.set("to", exp.DataType.build(f"DECIMAL({precision},{scale})"))


def _name_unnamed_columns(ast: exp.Expr) -> None:
    """Trino names unnamed select expressions ``_col0``, ``_col1``… by position."""
    selects = [ast] if isinstance(ast, exp.Select) else []
    if isinstance(ast, exp.SetOperation):
        left: exp.Expr = ast
        while isinstance(left, exp.SetOperation):
            left = left.this
        if isinstance(left, exp.Select):
            selects = [left]
    for select in selects:
        new: list[exp.Expr] = []
        for i, proj in enumerate(select.expressions):
            if isinstance(proj, exp.Alias | exp.Column | exp.Star) or (
                isinstance(proj, exp.Dot) and isinstance(proj.expression, exp.Star)
            ):
                new.append(proj)
            else:
                new.append(exp.alias_(proj, f"_col{i}", quoted=True))
        select.set("expressions", new)


class Resolver:
    """Resolves table references of one query into DuckDB views on one connection."""

    def __init__(
        self,
        engine: Engine,
        conn: duckdb.DuckDBPyConnection,
        prepared: Prepared,
        principal: Any = None,
        requester_pays: bool = False,
    ) -> None:
        self.engine = engine
        self.requester_pays = requester_pays  # the workgroup's RequesterPaysEnabled (requester_pays.py)
        self.conn = conn
        self.prepared = prepared
        self.principal = principal  # iam.Principal of the caller under IAM enforcement: Athena has no service role
        self.counter = 0
        self.views: dict[tuple[str, str], str] = {}
        self.info_schema: dict[str, str] = {}

    def rewrite(self, ast: exp.Expr, database: str | None, depth: int = 0) -> None:
        """Replace every catalog table in ``ast`` by a DuckDB view reading its (pruned) files."""
        if depth > 8:
            raise AthenaQueryError("GENERIC_USER_ERROR", "View nesting too deep")
        cte_names = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}
        # Group references per table so partition pruning takes the union of what each reference needs.
        refs: dict[tuple[str, str], list[exp.Table]] = {}
        infos: dict[tuple[str, str], moto_state.TableInfo] = {}
        for t in [t for t in ast.find_all(exp.Table) if t.name]:
            info = self._resolve(t, database, cte_names)
            if info is not None:
                refs.setdefault((info.database, info.name), []).append(t)
                infos[(info.database, info.name)] = info
        for key, nodes in refs.items():
            if key not in self.views:
                self.views[key] = self._create(infos[key], nodes, ast, depth)
            for node in nodes:
                alias = node.alias or node.name
                new = exp.Table(this=exp.to_identifier(self.views[key], quoted=True))
                new.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
                node.replace(new)

    def _create(self, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr, depth: int) -> str:
        """A DuckDB view for one catalog table or view; returns its name."""
        refuse_unrunnable(info, nodes)
        self.counter += 1
        view = f"__t{self.counter}_{info.name}"
        if info.view_sql is not None:
            self._create_view(view, info, depth)
        elif is_iceberg(info.parameters):
            self._create_iceberg_view(view, info, nodes, ast)
        else:
            requested_snapshot(nodes, info)  # refused: not an Iceberg table
            self._create_table_view(view, info, nodes, ast)
        return view

    def _resolve(self, t: exp.Table, database: str | None, cte_names: set[str]) -> moto_state.TableInfo | None:
        """The Glue table a reference names (None for CTEs, DDL targets and information_schema, handled here)."""
        if (not t.db and t.name.lower() in cte_names) or isinstance(t.parent, exp.Schema | exp.Create):
            return None
        cat = t.catalog.lower() if t.catalog else "awsdatacatalog"
        db = t.db or database
        if db and db.lower() == "information_schema":
            self._info_schema(t)
            return None
        if not db:
            raise AthenaQueryError(
                "SCHEMA_NOT_FOUND", f"{_position(t)}: Schema must be specified when session schema is not set"
            )
        if cat != "awsdatacatalog":
            raise AthenaQueryError("TABLE_NOT_FOUND", f"{_position(t)}: Catalog '{cat}' does not exist")
        if split_name(t.name) is not None:  # an Iceberg metadata table ("t$files")
            self._metadata_table(t, db)
            return None
        self._check_glue("glue:GetTable", db, t.name)
        info = self.engine.table_info(db, t.name)
        if info is None:
            if self.engine.table_info_db_missing(db):
                raise AthenaQueryError("SCHEMA_NOT_FOUND", f"{_position(t)}: Schema '{db.lower()}' does not exist")
            raise AthenaQueryError(
                "TABLE_NOT_FOUND",
                f"{_position(t)}: Table 'awsdatacatalog.{db.lower()}.{t.name.lower()}' does not exist",
            )
        return info

    # --- the caller's permissions (only under IAM enforcement) ----------------------------------------------
    def _check_glue(self, action: str, database: str, table: str) -> None:
        if self.principal is None:
            return
        arns = glue_table_arns(self.engine.region, self.engine.account_id, database.lower(), table.lower())
        denied = self.principal.first_denied(action, arns)
        if denied is not None:
            raise glue_denied(self.principal.denial_text(action, denied))

    def _check_location(self, location: str) -> None:
        if self.principal is not None:
            bucket, _ = moto_state.split_s3_url(location)
            if not self.principal.decide("s3:ListBucket", f"arn:aws:s3:::{bucket}"):
                raise s3_read_denied(location)

    def _check_object(self, f: moto_state.S3File) -> None:
        if self.principal is not None and not self.principal.decide("s3:GetObject", f"arn:aws:s3:::{f.bucket}/{f.key}"):
            raise s3_read_denied(f"s3://{f.bucket}/{f.key}")

    def _create_view(self, view: str, info: moto_state.TableInfo, depth: int) -> None:
        assert info.view_sql is not None
        try:
            inner = sqlglot.parse_one(info.view_sql, read="trino")
        except sqlglot.errors.ParseError as e:
            raise AthenaQueryError("SYNTAX_ERROR", f"view {info.name}: {e}") from e
        _fix_decimal_literals(inner)
        self.rewrite(inner, info.database, depth + 1)
        self.conn.execute(f"CREATE VIEW {duck_ident(view)} AS {inner.sql(dialect='duckdb')}")

    def _create_table_view(self, view: str, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr) -> None:
        requester_pays.check_read(info.location, self.requester_pays)
        used = referenced_columns(ast, [name for name, _ in info.columns])
        account = self.engine.account_id
        lf = self.engine.lake_formation
        # Lake Formation reads governed data with the credentials it vends: the caller's S3 grants do not apply.
        governed = lf is not None and lf.authorize_read(self.principal, info.database, info.name, info.location)
        check_location = (lambda _location: None) if governed else self._check_location
        groups = file_groups(info, nodes, account, self._check_glue, check_location)
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

    def _create_iceberg_view(
        self, view: str, info: moto_state.TableInfo, nodes: list[exp.Table], ast: exp.Expr
    ) -> None:
        """A snapshot's files (the current one, or `FOR VERSION AS OF`) with the current schema (iceberg_tables);
        Glue's columns are not used; `"$path"` prunes and names files as on a Hive table."""
        self._check_location(info.location)
        requester_pays.check_read(info.location, self.requester_pays)
        columns, files = iceberg_current_table(info, self.engine.account_id, requested_snapshot(nodes, info))
        files = path_column.prune(files, path_column.predicates(nodes))
        paths = self._read(files, referenced_columns(ast, [name for name, _ in columns]), "parquet")
        sql = iceberg_select_sql(columns, paths, [path_column.uri(f) for f in files], path_column.is_selected(nodes))
        self.conn.execute(f"CREATE VIEW {duck_ident(view)} AS {sql}")

    def _metadata_table(self, t: exp.Table, database: str) -> None:
        """`"t$files"` as a DuckDB table (iceberg_metadata_tables), read with GetTable like its table."""
        base, _ = split_name(t.name) or (t.name, "")
        self._check_glue("glue:GetTable", database, base)
        info = self.engine.table_info(database, base)
        if info is not None:  # Athena reads the metadata files with the caller's permissions
            self._check_location(info.location)
        self.counter += 1
        view = create_metadata_table(self.conn, f"__m{self.counter}", info, t, database, self.engine.account_id)
        new = exp.Table(this=exp.to_identifier(view, quoted=True))
        new.set("alias", exp.TableAlias(this=exp.to_identifier(t.alias or t.name, quoted=True)))
        t.replace(new)

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
            self._check_object(f)
        paths = [self.engine.cache.path_for(f, self.engine.account_id) for f in files]
        if fmt == "parquet":
            self.prepared.scanned_bytes += sum(self.engine.column_bytes.scanned(p, used) for p in paths)
        elif fmt == "orc" and info is not None:  # only the used columns' streams (table_sources, orc_files)
            self.prepared.scanned_bytes += sum(orc_scanned_bytes(info, p, used) for p in paths)
        else:
            self.prepared.scanned_bytes += sum(f.size for f in files)
        self.prepared.files_read.extend(f"s3://{f.bucket}/{f.key}" for f in files)
        return paths

    def _info_schema(self, t: exp.Table) -> None:
        name = t.name.lower()
        if name not in self.info_schema:
            self.counter += 1
            view = f"__is{self.counter}_{name}"
            self.engine.build_information_schema(self.conn, view, name, self.principal)
            self.info_schema[name] = view
        alias = t.alias or t.name
        new = exp.Table(this=exp.to_identifier(self.info_schema[name], quoted=True))
        new.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
        t.replace(new)


def athena_display_type(gtype: str) -> str:
    """Glue type -> the type text Athena shows in information_schema.columns (``array(varchar)``…)."""
    return trino_type_name(parse_glue_type(gtype))


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
        self._lock = threading.Lock()
        self.lake_formation: Any = None  # lake_formation.LakeFormation, bound by the server

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

    def _visible_databases(self, principal: Any) -> list[str]:
        dbs = moto_state.list_databases(self.region, self.account_id)
        if principal is None:
            return dbs
        prefix = f"arn:aws:glue:{self.region}:{self.account_id}"
        return [db for db in dbs if principal.decide("glue:GetDatabases", f"{prefix}:database/{db}")]

    def _visible_tables(self, db: str, principal: Any) -> list[str]:
        tables = moto_state.list_tables(self.region, db, self.account_id)
        if principal is None:
            return tables
        prefix = f"arn:aws:glue:{self.region}:{self.account_id}"
        return [tb for tb in tables if principal.decide("glue:GetTables", f"{prefix}:table/{db}/{tb}")]

    def build_information_schema(
        self, conn: duckdb.DuckDBPyConnection, view: str, name: str, principal: Any = None
    ) -> None:
        """Materialise a Trino-shaped information_schema table from Glue (what the caller may list)."""
        rows: list[tuple[object, ...]] = []
        if name == "schemata":
            rows = [("awsdatacatalog", db) for db in self._visible_databases(principal)]
            rows.append(("awsdatacatalog", "information_schema"))
            conn.execute(f"CREATE TABLE {duck_ident(view)} (catalog_name VARCHAR, schema_name VARCHAR)")
        elif name in ("tables", "views"):
            conn.execute(
                f"CREATE TABLE {duck_ident(view)} (table_catalog VARCHAR, table_schema VARCHAR, "
                "table_name VARCHAR, table_type VARCHAR)"
            )
            for db in self._visible_databases(principal):
                for tb in self._visible_tables(db, principal):
                    info = moto_state.get_table_info(self.region, db, tb, self.account_id)
                    is_view = info is not None and info.view_sql is not None
                    if name == "views" and not is_view:
                        continue
                    rows.append(("awsdatacatalog", db, tb, "VIEW" if is_view else "BASE TABLE"))
        elif name == "columns":
            conn.execute(
                f"CREATE TABLE {duck_ident(view)} (table_catalog VARCHAR, table_schema VARCHAR, "
                "table_name VARCHAR, column_name VARCHAR, ordinal_position BIGINT, column_default VARCHAR, "
                "is_nullable VARCHAR, data_type VARCHAR, comment VARCHAR, extra_info VARCHAR)"
            )
            for db in self._visible_databases(principal):
                for tb in self._visible_tables(db, principal):
                    info = moto_state.get_table_info(self.region, db, tb, self.account_id)
                    if info is None:
                        continue
                    allc: list[tuple[str, str, str | None]] = [(n, t, None) for n, t in info.columns]
                    allc += [(n, t, "partition key") for n, t in info.partition_keys]
                    for i, (n, t, extra) in enumerate(allc, start=1):
                        rows.append(("awsdatacatalog", db, tb, n, i, None, "YES", athena_display_type(t), None, extra))
        else:
            raise AthenaQueryError(
                "TABLE_NOT_FOUND", f"line 1:15: Table 'awsdatacatalog.information_schema.{name}' does not exist"
            )
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {duck_ident(view)} VALUES ({marks})", rows)

    def prepare(self, sql: str, database: str | None, principal: Any = None, requester_pays: bool = False) -> Prepared:
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
            _fix_decimal_literals(ast)
            rewrite_map_transforms(ast)
            _name_unnamed_columns(ast)
            glue_columns = queried_glue_columns(ast, self.table_info, database)
            Resolver(self, conn, prepared, principal, requester_pays).rewrite(ast, database)
            check_json_casts(conn, ast, glue_columns)  # refused at analysis, as Trino does (json_casts)
            prepared.sql = ast.sql(dialect="duckdb")
        except BaseException:
            conn.close()
            raise
        return prepared
