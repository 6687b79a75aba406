"""Glue Data Catalog -> table descriptions (for discover and read), fetched page by page.

Discovery costs exactly the Glue pages: GetDatabases pages, then GetTables pages per database (databases fetched
concurrently). There is no per-table GetTable round trip.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import DENIED_CODES, GLUE_SIDS, AwsClients, aws_call, describe_error, error_code
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError
from source_skoot_athena.quoting import quote_identifier
from source_skoot_athena.resource_links import followed
from source_skoot_athena.state import StreamKey
from source_skoot_athena.table_formats import (
    iceberg_read_as,
    is_current_iceberg_column,
    left_out_reason,
    partitions_in_glue,
)
from source_skoot_athena.types import AthenaType, parse_type, with_timestamp_precision

DATABASES_PER_PAGE = 100  # GetDatabases MaxResults (at most 100)
TABLES_PER_PAGE = 100  # GetTables MaxResults (at most 100)
ROW_COUNT_KEYS = ("recordCount", "numRows")  # Glue table/partition parameters, as crawlers and Hive/Spark set them
SIZE_KEYS = ("totalSize", "sizeKey", "rawDataSize")
DISCOVERY_THREADS = 4
DATE_LIKE_PARTITION_NAMES = ("date", "dt", "day", "ds", "event_date", "partition_date")
ICEBERG_TIMESTAMP_PRECISION = 6  # Athena's Iceberg timestamps are microseconds; Glue's type says only `timestamp`


@dataclass(frozen=True)
class GlueStatistics:
    """A table's or partition's row count and size as Glue's parameters state them (None when absent)."""

    record_count: int | None
    size_bytes: int | None

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> GlueStatistics:
        return cls(_first_count(parameters, ROW_COUNT_KEYS), _first_count(parameters, SIZE_KEYS))


def _first_count(parameters: Mapping[str, Any], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = parameters.get(name)
        if value is not None and str(value).isdigit():
            return int(value)
    return None


def is_iceberg(parameters: Mapping[str, Any]) -> bool:
    """An Iceberg table, by its `table_type` parameter (Athena writes ICEBERG; other writers vary the case)."""
    return str(parameters.get("table_type", "")).upper() == "ICEBERG"


@dataclass(frozen=True)
class Column:
    """One column of a table as Glue describes it."""

    name: str
    type: AthenaType
    comment: str | None = None
    is_partition_key: bool = False
    read_as: str | None = None  # a CAST the read applies: the engine's type differs from Glue's (Iceberg)

    @property
    def sql_reference(self) -> str:
        """The column in a query: quoted, and CAST to the type Glue states when the engine's type differs."""
        quoted = quote_identifier(self.name)
        return f"CAST({quoted} AS {self.read_as})" if self.read_as else quoted


@dataclass(frozen=True)
class TableInfo:
    """What discover and read need to know about one Glue table or view."""

    database: str
    name: str
    columns: tuple[Column, ...]
    table_type: str = "EXTERNAL_TABLE"
    parameters: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    description: str | None = None
    left_out: str | None = None  # why discover leaves it out (table_formats.left_out_reason)
    input_format: str = ""  # StorageDescriptor.InputFormat: Hudi's only sure mark (table_formats.table_format)

    @property
    def key(self) -> StreamKey:
        """The table as a stream key (namespace = Glue database); its str() is `database.table`."""
        return StreamKey(self.database, self.name)

    @property
    def partition_keys(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.is_partition_key)

    @property
    def is_view(self) -> bool:
        return self.table_type == "VIRTUAL_VIEW"

    @property
    def is_iceberg(self) -> bool:
        return is_iceberg(self.parameters)

    @property
    def partitions_in_glue(self) -> bool:
        """Whether Glue's partitions are the table's (not for Delta or Iceberg: table_formats)."""
        return partitions_in_glue(self.parameters)

    @property
    def statistics(self) -> GlueStatistics:
        return GlueStatistics.from_parameters(self.parameters)

    @property
    def uses_projection(self) -> bool:
        """Partition projection: partitions are computed by Athena, not registered in Glue."""
        return self.parameters.get("projection.enabled", "").lower() == "true"

    @property
    def is_delta_placeholder(self) -> bool:
        """A Delta table registered by Spark: Glue holds a dummy `col array<string>` schema, not the real one.

        Only the placeholder is left out: a Delta table whose Glue columns are the real ones (a crawler's, or
        Athena's native Delta registration) is described like any other table.
        """
        provider = (self.parameters.get("spark.sql.sources.provider", "") or "").lower()
        placeholder = (
            len(self.columns) == 1
            and self.columns[0].name == "col"
            and self.columns[0].type == parse_type("array<string>")
        )
        return placeholder and (provider == "delta" or self.parameters.get("table_type", "").upper() == "DELTA")

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


def table_from_glue(database: str, table: dict[str, Any]) -> TableInfo:
    """One GetTables entry -> TableInfo; partition keys are columns too (after the data columns, as Athena)."""
    storage = table.get("StorageDescriptor", {}) or {}
    parameters = {str(k): str(v) for k, v in (table.get("Parameters", {}) or {}).items()}
    glue_columns = storage.get("Columns", []) or []
    if is_iceberg(parameters):  # earlier schemas' columns stay in Glue; Athena knows only the current ones
        glue_columns = [c for c in glue_columns if is_current_iceberg_column(c)]
    columns = [
        Column(str(c["Name"]), parse_type(str(c.get("Type", "string"))), c.get("Comment") or None) for c in glue_columns
    ]
    columns += [
        Column(str(c["Name"]), parse_type(str(c.get("Type", "string"))), c.get("Comment") or None, True)
        for c in table.get("PartitionKeys", []) or []
    ]
    if is_iceberg(parameters):
        columns = [iceberg_column(c) for c in columns]
    return TableInfo(
        database=database,
        name=str(table["Name"]),
        columns=tuple(columns),
        table_type=str(table.get("TableType", "EXTERNAL_TABLE") or "EXTERNAL_TABLE"),
        parameters=parameters,
        location=storage.get("Location"),
        description=table.get("Description") or None,
        left_out=left_out_reason(table, parameters),
        input_format=str(storage.get("InputFormat") or ""),
    )


def iceberg_column(column: Column) -> Column:
    """An Iceberg column as the connector reads it: µs timestamps, and the CAST that makes Athena's type Glue's
    (table_formats.iceberg_read_as: timestamptz behind `timestamp`, time/uuid behind `string`)."""
    typed = with_timestamp_precision(column.type, ICEBERG_TIMESTAMP_PRECISION)
    return replace(column, type=typed, read_as=iceberg_read_as(typed))


def glue_pages(call: Any, key: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
    """Follow NextToken until the last page; each yielded item is one page's list."""
    token: str | None = None
    while True:
        response = call(**params, **({"NextToken": token} if token else {}))
        yield list(response.get(key, []) or [])
        token = response.get("NextToken")
        if not token:
            return


def list_databases(clients: AwsClients, config: Config) -> list[str]:
    """The databases to discover: the configured ones (Scope B) or every one Glue lists (Scope A)."""
    if config.databases:
        return list(config.databases)
    names: list[str] = []
    with aws_call("glue:GetDatabases"):
        for page in glue_pages(clients.glue.get_databases, "DatabaseList", MaxResults=DATABASES_PER_PAGE):
            names.extend(str(db["Name"]) for db in page)
    return names


def list_tables(clients: AwsClients, database: str) -> list[TableInfo]:
    """Every table and view of one database, all pages."""
    tables: list[TableInfo] = []
    with aws_call("glue:GetTables", what=f"database {database}"):
        for page in glue_pages(clients.glue.get_tables, "TableList", DatabaseName=database, MaxResults=TABLES_PER_PAGE):
            tables.extend(table_from_glue(database, followed(clients.glue, table)) for table in page)
    return tables


def get_table(clients: AwsClients, database: str, name: str) -> TableInfo | None:
    """The current Glue description of one table (read path); None if it no longer exists."""
    try:
        response = clients.glue.get_table(DatabaseName=database, Name=name)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "EntityNotFoundException":
            return None
        raise describe_error(exc, "glue:GetTable", what=f"table {StreamKey(database, name)}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise describe_error(exc, "glue:GetTable") from None
    return table_from_glue(database, followed(clients.glue, response["Table"]))


def discover_tables(clients: AwsClients, config: Config, logger: logging.Logger) -> list[TableInfo]:
    """All readable tables of all allowed databases; a denied or missing database is skipped with a warning."""
    databases = list_databases(clients, config)

    def fetch(database: str) -> list[TableInfo] | AwsCallError:
        try:
            return list_tables(clients, database)
        except AwsCallError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=DISCOVERY_THREADS) as pool:
        results = list(pool.map(fetch, databases))
    tables: list[TableInfo] = []
    failures: list[AwsCallError] = []
    for database, result in zip(databases, results, strict=True):
        if isinstance(result, AwsCallError):
            failures.append(result)
            if result.code in DENIED_CODES:
                logger.warning(
                    f"Skipping Glue database '{database}': glue:GetTables was denied. To include it, name it in the "
                    f"{GLUE_SIDS} statement (setup guide, Step 2); to silence this, leave it out of Glue Databases."
                )
            elif result.code == "EntityNotFoundException":
                logger.warning(f"Skipping Glue database '{database}': it does not exist in {config.region}.")
            else:
                raise result
            continue
        for table in result:
            if table.is_delta_placeholder:
                logger.warning(
                    f"Leaving out {table.key}: it is a Delta Lake table whose Glue schema is Spark's "
                    "placeholder (col array<string>), so its real columns are unknown to Glue. Register it with "
                    "Athena's native Delta support (CREATE EXTERNAL TABLE … TBLPROPERTIES ('table_type'='DELTA'))."
                )
                continue
            if table.left_out:
                logger.warning(f"Leaving out {table.key}: {table.left_out}")
                continue
            tables.append(table)
    if not tables and failures and len(failures) == len(databases):
        names = ", ".join(databases[:5]) + (f" and {len(databases) - 5} more" if len(databases) > 5 else "")
        raise AwsCallError(f"No Glue database could be read ({names}). {failures[0].message}", code=failures[0].code)
    return tables
