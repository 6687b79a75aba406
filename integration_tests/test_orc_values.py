"""ORC tables through the command line: every Athena type with exact values on each read path, the same
expectations as Parquet's (test_values), and a partitioned ORC table read by slices and incrementally.

The base table is ORC here (its files as Hive leaves them: by index, test_local_athena_orc); the view over it
adds time, timestamp with time zone and json as in test_values. Read paths: UNLOAD to Parquet, the result CSV
(engine v1 workgroup), GetQueryResults (the same, with the result file denied).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from integration_tests import test_values as values
from integration_tests.claim_runs import discover, ids, last_states, read_ok
from integration_tests.connector import Run, configured_catalog
from local_athena import LocalAthena, moto_state, orc_files

DB = "val_orc"


@pytest.fixture(scope="module")
def orc_catalog(local_athena: LocalAthena) -> dict[str, Any]:
    """The ORC base table, written with Hive's `_colN` names, and the view over it; an engine-v1 workgroup."""
    local_athena.put_table(DB, "base", values.base_table(), glue_types=values.BASE_TYPES, fmt="orc")
    bucket, prefix = moto_state.split_s3_url(f"s3://skoot-data-demo/{DB}/base/")
    (f,) = moto_state.list_objects(bucket, prefix)
    table = values.base_table()
    hive_names = table.rename_columns([f"_col{i}" for i in range(table.num_columns)])
    moto_state.put_object(bucket, f.key, orc_files.encode(hive_names))
    local_athena.put_table(
        DB,
        "every_type",
        pa.table({c: pa.array([], pa.string()) for c in values.VIEW_TYPES}),
        glue_types=values.VIEW_TYPES,
        view_sql=values.VIEW_SQL.replace(f"{values.DB}.base", f"{DB}.base"),
    )
    local_athena.create_workgroup(
        "val-v1", output_location="s3://skoot-athena-results/val-v1/", engine_version="Athena engine version 1"
    )
    return configured_catalog(discover(local_athena, DB), streams=["every_type"])


def _read_on(athena: LocalAthena, catalog: dict[str, Any], path: str) -> Run:
    athena.faults.clear()
    athena.reset_observations()
    if path == "api":
        athena.faults.error("s3:HeadObject", "AccessDenied", status=403, message="Access Denied")
    try:
        run = read_ok(athena, catalog, DB, workgroup="skoot" if path == "parquet" else "val-v1")
    finally:
        athena.faults.clear()
    assert any(values.PATH_LOG[path] in log for log in run.logs), run.logs
    return run


@pytest.mark.parametrize("path", values.PATHS)
def test_every_value_type_of_an_orc_table_on_each_read_path(
    local_athena: LocalAthena, orc_catalog: dict[str, Any], path: str
) -> None:
    rows = values.records(_read_on(local_athena, orc_catalog, path))
    assert sorted(rows) == [1, 2, 3]
    for row_id, expected in values.EXPECTED.items():
        got = values.typed(rows[row_id])
        for column, value in expected.items():
            assert got[column] == value, (path, row_id, column, rows[row_id][column])
            assert type(got[column]) is type(value), (path, row_id, column, rows[row_id][column])
    assert rows[1]["bi"] == 2**63 - 1 and rows[2]["bi"] == 2**53 + 1
    assert str(rows[1]["r"]) == "0.1"


def _orders(ids_: list[int], day: str) -> pa.Table:
    return pa.table({"id": pa.array(ids_, pa.int64()), "total": [i * 1.5 for i in ids_], "day": [day] * len(ids_)})


def test_a_partitioned_orc_table_reads_exactly_and_incrementally_by_partition(athena_sandbox: LocalAthena) -> None:
    database = "orc_parts"
    athena_sandbox.put_table(
        database,
        "orders",
        pa.concat_tables([_orders([1, 2], "2024-01-01"), _orders([3], "2024-01-02")]),
        fmt="orc",
        partition_keys=["day"],
    )
    catalog = configured_catalog(discover(athena_sandbox, database), sync_mode="incremental", cursor={"orders": "day"})
    first = read_ok(athena_sandbox, catalog, database)
    assert sorted(first.rows("orders"), key=lambda r: r["id"]) == [
        {"id": 1, "total": 1.5, "day": "2024-01-01"},
        {"id": 2, "total": 3.0, "day": "2024-01-01"},
        {"id": 3, "total": 4.5, "day": "2024-01-02"},
    ]
    athena_sandbox.append_rows(database, "orders", _orders([4, 5], "2024-01-03"))
    second = read_ok(athena_sandbox, catalog, database, state=last_states(first))
    # A partition-key cursor lists only partitions newer than the saved one (README "Table formats").
    assert ids(second, "orders") == [4, 5]
