"""Which files a query on one Glue table reads, by table kind, and the kinds Athena refuses to run.

Why: Athena finds a table's files differently per kind: a Hive table's by listing each registered (or projected)
partition's location that survives pruning, a Delta table's from its log (delta_tables), an Iceberg table's from
its metadata (iceberg_tables). Kept apart from the table resolver (table_resolver) so that each stays small.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from . import hudi_tables, moto_state
from .delta_tables import Group, is_delta
from .delta_tables import file_groups as delta_file_groups
from .partition_predicates import pruned_partitions
from .partition_projection import check_projection
from .query_errors import AthenaQueryError

UNMODELLED_TABLE_TYPES = ("HUDI",)  # without Hudi's input format (hudi_tables); Delta: delta_tables, Iceberg: …


def refuse_unrunnable(info: moto_state.TableInfo, nodes: list[exp.Table]) -> None:
    """Fail as Athena does for what it cannot run (or the stand-in does not model) before reading anything."""
    hudi_tables.refuse_realtime_timestamps(info, nodes)
    if info.parameters.get("table_type", "").upper() in UNMODELLED_TABLE_TYPES and not hudi_tables.is_hudi(info):
        # Athena reads these through their own metadata, not by listing the location as Hive: reading their
        # files as a Hive table would let a test pass that AWS would not.
        raise AthenaQueryError(
            "NOT_SUPPORTED",
            f"{info.parameters['table_type']} table {info.database}.{info.name} is not modelled by the stand-in",
        )
    if info.table_type == "VIRTUAL_VIEW" and info.view_sql is None:
        # Athena runs only Presto/Athena views; a Spark or Hive view's text is HiveQL. Trino's Hive connector
        # refuses those: HiveViewNotSupportedException "Hive views are not supported: '<view>'"
        # (trinodb/trino plugin/trino-hive .../HiveViewNotSupportedException.java; Athena's own text unverified).
        raise AthenaQueryError("NOT_SUPPORTED", f"Hive views are not supported: '{info.database}.{info.name}'")
    check_projection(info.parameters, [k for k, _ in info.partition_keys], nodes)


def file_groups(
    info: moto_state.TableInfo,
    nodes: list[exp.Table],
    account_id: str,
    check_glue: Callable[[str, str, str], None],
    check_location: Callable[[str], None],
) -> list[Group]:
    """(partition values, data files) the query reads: a Delta table's from its log, a Hive table's by listing
    the location of each registered partition that survives pruning (with the caller's permission checks)."""
    if is_delta(info.parameters):
        check_location(info.location)
        groups = delta_file_groups(info, account_id)
        kept = pruned_partitions(info.partition_keys, [v for v, _ in groups], nodes) if info.partition_keys else [0]
        return [groups[i] for i in kept if i < len(groups)]
    if info.partition_keys:
        check_glue("glue:GetPartitions", info.database, info.name)
        located = [
            info.partitions[i] for i in pruned_partitions(info.partition_keys, [v for v, _ in info.partitions], nodes)
        ]
    else:
        located = [([], info.location)]
    groups = []
    for values, location in located:
        if location:
            check_location(location)
            if hudi_tables.is_hudi(info):  # the latest committed file slices, not every file (hudi_tables)
                groups.append((values, hudi_tables.latest_base_files(info, location, account_id)))
            else:
                groups.append((values, moto_state.data_files(location, account_id)))
    return groups
