"""Which table format a Glue table is (Hive, Delta Lake, Iceberg, Hudi), from the marks each writer leaves in Glue.

Why: the format decides whether Glue's partitions are the table's. Athena reads Delta partitions from the Delta
log (Glue holds the partition keys, no partitions:
https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables-syncing-metadata.html) and Iceberg partitions from
Iceberg metadata (hidden partitioning, no Glue partitions:
https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg.html). Planning such a table from GetPartitions
would find none and report it COMPLETE and empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from source_skoot_athena.types import COMPLEX_KINDS, AthenaType, Kind


class TableFormat(StrEnum):
    HIVE = "hive"
    DELTA = "delta"
    ICEBERG = "iceberg"
    HUDI = "hudi"


# Hudi's input formats: the only mark its Glue/Hive sync always leaves (it sets no `table_type`; the Spark
# provider property only when syncing as a data-source table), and the one Athena's own Hudi DDL has
# (apache/hudi hudi-sync/hudi-hive-sync HiveSyncTool.java `syncFirstTime`, hudi-aws AWSGlueCatalogSyncClient.java
# `createTable`; https://docs.aws.amazon.com/athena/latest/ug/querying-hudi.html). `com.uber.hoodie.hadoop.*` with
# hive-sync's `use_pre_apache_input_format`.
HUDI_INPUT_FORMATS = ("org.apache.hudi.hadoop.", "com.uber.hoodie.hadoop.")


def table_format(parameters: Mapping[str, str], input_format: str = "") -> TableFormat:
    """The format by Glue's parameters and the table's InputFormat: Athena and the Iceberg/Delta writers set
    `table_type` (any case); Spark's Delta registration sets only `spark.sql.sources.provider=delta`; a Hudi
    table is known by its input format (HUDI_INPUT_FORMATS)."""
    kind = str(parameters.get("table_type", "")).upper()
    provider = str(parameters.get("spark.sql.sources.provider", "")).lower()
    if kind == "ICEBERG":
        return TableFormat.ICEBERG
    if kind == "DELTA" or provider == "delta":
        return TableFormat.DELTA
    if kind == "HUDI" or provider == "hudi" or input_format.startswith(HUDI_INPUT_FORMATS):
        return TableFormat.HUDI
    return TableFormat.HIVE


_TIMESTAMP = re.compile(r"(?:^|[<,:])timestamp(?:$|[>,(])")  # the type, not a struct field named timestamp


def hudi_realtime_timestamp_columns(glue_table: Mapping[str, Any]) -> list[str]:
    """Timestamp columns of a Hudi merge-on-read real-time (`_rt`, realtime input format) table: Athena's queries
    reading them "either fail or produce empty results" (GENERIC_INTERNAL_ERROR … ArrayWritable cannot be cast
    to … TimestampWritableV2; "Timestamp queries",
    https://docs.aws.amazon.com/athena/latest/ug/querying-hudi-in-athena-considerations-and-limitations.html)."""
    storage = glue_table.get("StorageDescriptor") or {}
    input_format = str(storage.get("InputFormat") or "")
    if not input_format.startswith(HUDI_INPUT_FORMATS) or ".realtime." not in input_format:
        return []
    columns = list(storage.get("Columns") or []) + list(glue_table.get("PartitionKeys") or [])
    return [str(c["Name"]) for c in columns if _TIMESTAMP.search(str(c.get("Type", "")).replace(" ", "").lower())]


def partitions_in_glue(parameters: Mapping[str, str]) -> bool:
    """Whether Glue's partitions are the ones Athena reads: Hive and Hudi (Hudi's Glue sync registers them and
    Athena lists them from Glue), not Delta or Iceberg."""
    return table_format(parameters) in (TableFormat.HIVE, TableFormat.HUDI)


def is_current_iceberg_column(glue_column: Mapping[str, Any]) -> bool:
    """False for a column of an earlier Iceberg schema: the writers keep those in Glue flagged
    `iceberg.field.current=false` (apache/iceberg aws/.../glue/IcebergToGlueConverter.java `toColumns`;
    apache/iceberg-python pyiceberg/catalog/glue.py `_to_columns`; dbt-athena drops them the same way,
    dbt/adapters/athena/impl.py `_is_current_column`); Athena answers COLUMN_NOT_FOUND for them."""
    parameters = glue_column.get("Parameters") or {}
    return str(parameters.get("iceberg.field.current", "true")).lower() != "false"


def iceberg_read_as(t: AthenaType) -> str | None:
    """The CAST that reads an Iceberg column as the type Glue states, whatever Athena's own type behind it is.

    Glue cannot tell them apart: the writers map `timestamptz` to `timestamp` and `time`/`uuid` to `string`
    (IcebergToGlueConverter), while Athena reads `timestamp(6) with time zone`, `time(6)` and `uuid`
    (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-supported-data-types.html). UNLOAD cannot
    write the first two ("Unsupported Hive type"), and a zoned value's text has a zone the cursor literals
    reject. `CAST(x AS timestamp(6))` gives the UTC wall time (Athena's session zone is UTC) and is a no-op
    on a plain timestamp; `CAST(x AS varchar)` is the canonical text of a time or uuid and a no-op on a string.
    The writers render those types the same way inside a struct, list or map (pyiceberg `_IcebergSchemaToGlueType`),
    so a container holding one is CAST whole to Glue's type: Trino casts arrays, maps and rows element by element,
    entry by entry and field by field (by position; https://trino.io/docs/current/functions/conversion.html#cast,
    https://trino.io/docs/current/language/types.html#row), with the same leaf casts as above.
    """
    if t.kind == Kind.TIMESTAMP:
        return t.athena_sql_name()
    if t.kind == Kind.VARCHAR and t.length is None:
        return "varchar"
    if t.kind in COMPLEX_KINDS and any(iceberg_read_as(child) for child in t.children):
        return t.athena_sql_name()
    return None


PRESTO_VIEW_MARKER = "/* Presto View"


def view_runs_in_athena(glue_table: Mapping[str, Any]) -> bool:
    """Athena runs views created in Athena or Presto (`ViewOriginalText` = `/* Presto View: <base64> */`) and
    Glue Data Catalog multi-dialect views with an ATHENA representation; not Spark or Hive views
    (https://docs.aws.amazon.com/athena/latest/ug/considerations-limitations-views.html,
    https://docs.aws.amazon.com/glue/latest/dg/catalog-views.html)."""
    if str(glue_table.get("ViewOriginalText") or "").startswith(PRESTO_VIEW_MARKER):
        return True
    representations = (glue_table.get("ViewDefinition") or {}).get("Representations") or []
    return any(str(r.get("Dialect", "")).upper() == "ATHENA" for r in representations)


def injected_projection_keys(parameters: Mapping[str, str]) -> list[str]:
    """Partition keys projected with type `injected`: Athena answers CONSTRAINT_VIOLATION to a query whose WHERE
    clause does not pin each to static values
    (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html)."""
    if str(parameters.get("projection.enabled", "")).lower() != "true":
        return []
    return sorted(
        key[len("projection.") : -len(".type")]
        for key, value in parameters.items()
        if key.startswith("projection.") and key.endswith(".type") and str(value).lower() == "injected"
    )


def left_out_reason(glue_table: Mapping[str, Any], parameters: Mapping[str, str]) -> str | None:
    """Why discover leaves the table out (a stream that could only fail), or None when Athena can read it."""
    if glue_table.get("TableType") == "VIRTUAL_VIEW" and not view_runs_in_athena(glue_table):
        return (
            "it is a Spark or Hive view, which Athena cannot run (only views created in Athena or Presto, and Glue "
            "multi-dialect views with an Athena dialect). Recreate it in Athena to include it."
        )
    timestamps = hudi_realtime_timestamp_columns(glue_table)
    if timestamps:
        return (
            f"it is a Hudi merge-on-read real-time table with timestamp columns ({', '.join(timestamps)}), and "
            "Athena fails or returns no rows for queries reading them. Select its read-optimized table (`_ro`, "
            "compacted data only) or an Athena view of this table without those columns instead."
        )
    injected = injected_projection_keys(parameters)
    if injected:
        return (
            f"its partition projection injects {', '.join(repr(k) for k in injected)}: Athena refuses any query "
            "that does not pin those keys to literal values (CONSTRAINT_VIOLATION), so the table cannot be read "
            "whole. Create an Athena view that pins the values (WHERE key IN (...)) and select the view instead."
        )
    return None
