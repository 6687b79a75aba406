"""README "Incremental sync and state", claim by claim, through the command line against the stand-in.

Claims guarded here (README sentence -> test):
- "Rows whose cursor is NULL ... are read by the first sync only" -> test_null_cursor_rows_are_read_by_the_first_sync_only
- "(and NULL __HIVE_DEFAULT_PARTITION__ partitions)" -> test_null_partition_is_read_by_the_first_sync_only
- "the upper bound is fixed when the stream starts (SELECT max(cursor)) ... rows landing during the sync come next
  time" -> test_rows_landing_during_a_sync_arrive_in_the_next_sync
- "Pick any top-level column whose type orders" (the cursor errors of stream.cursor_column)
  -> test_a_cursor_that_cannot_be_one_is_a_config_error_naming_the_stream
- "(integer, decimal, date, timestamp, string)": a date data cursor -> test_date_cursor_reads_the_union_over_two_syncs;
  floating point is not in that list -> test_double_cursor_is_what_the_connector_accepts

Each test owns its Glue database (`sem_<name>`), removed by the package conftest after the module.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import discover, ids, last_states, read, read_ok, stream_blob
from integration_tests.connector import configured_catalog
from local_athena import LocalAthena


def incremental(athena: LocalAthena, database: str, table: str, cursor: str) -> dict[str, Any]:
    """The configured catalog reading ``database.table`` incrementally on ``cursor``."""
    return configured_catalog(
        discover(athena, database), streams=[table], sync_mode="incremental", cursor={table: cursor}
    )


def rows(ids_: list[int], cursor: list[Any], cursor_type: pa.DataType, name: str = "seq") -> pa.Table:
    return pa.table({"id": pa.array(ids_, pa.int64()), name: pa.array(cursor, cursor_type)})


# --- NULL cursors ---------------------------------------------------------------------------------------------------
def test_null_cursor_rows_are_read_by_the_first_sync_only(athena: LocalAthena) -> None:
    database, table = "sem_null_cursor", "events"
    athena.put_table(database, table, rows([1, 2, 3, 4], [10, None, 20, None], pa.int64()))
    catalog = incremental(athena, database, table, "seq")

    first = read_ok(athena, catalog, database)
    assert ids(first, table) == [1, 2, 3, 4], "the first sync reads the rows whose cursor is NULL too"
    assert stream_blob(first, table)["cursor"] == "20"

    athena.append_rows(database, table, rows([5, 6], [None, 30], pa.int64()))
    second = read_ok(athena, catalog, database, state=last_states(first))
    # The boundary row again (inclusive lower bound) and the new one; no NULL row, old or new.
    assert ids(second, table) == [3, 6]
    assert stream_blob(second, table)["cursor"] == "30"


def test_a_cursor_that_is_null_in_every_row_reads_every_row_and_stays_unset(athena: LocalAthena) -> None:
    database, table = "sem_all_null_cursor", "events"
    athena.put_table(database, table, rows([1, 2], [None, None], pa.int64()))
    catalog = incremental(athena, database, table, "seq")

    first = read_ok(athena, catalog, database)
    # max(seq) is NULL: no bound exists, and no later sync could select these rows, so they come now.
    assert ids(first, table) == [1, 2]
    assert stream_blob(first, table).get("cursor") is None

    athena.append_rows(database, table, rows([3], [7], pa.int64()))
    second = read_ok(athena, catalog, database, state=last_states(first))
    # Still a first sync (no saved cursor): every row, the NULL ones again, and now a cursor.
    assert ids(second, table) == [1, 2, 3]
    assert stream_blob(second, table)["cursor"] == "7"


def test_null_partition_is_read_by_the_first_sync_only(athena: LocalAthena) -> None:
    database, table = "sem_null_partition", "clicks"
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "dt": pa.array(["2024-01-01", None, "2024-01-02"])})
    athena.put_table(database, table, data, partition_keys=["dt"])
    glue = athena.client("glue")
    registered = {tuple(p["Values"]) for p in glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]}
    assert ("__HIVE_DEFAULT_PARTITION__",) in registered, registered
    catalog = incremental(athena, database, table, "dt")

    first = read_ok(athena, catalog, database)
    assert ids(first, table) == [1, 2, 3], "the first sync reads the __HIVE_DEFAULT_PARTITION__ rows"
    assert stream_blob(first, table)["cursor"] == "2024-01-02"

    athena.append_rows(
        database, table, pa.table({"id": pa.array([4, 5], pa.int64()), "dt": pa.array([None, "2024-01-03"])})
    )
    athena.reset_observations()
    second = read_ok(athena, catalog, database, state=last_states(first))
    # Only the new partition's file (file_increments.py: files already read are not read again); the NULL
    # partition, grown meanwhile, is not listed.
    assert ids(second, table) == [5]
    (query,) = [q for q in athena.queries if f"(read {database}.{table})" in q.sql]
    assert "IS NULL" not in query.sql


# --- rows landing while a sync runs ---------------------------------------------------------------------------------
def land_rows_before_the_read_query(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch, marker: str, land: Callable[[], None]
) -> threading.Event:
    """When the stand-in starts executing the first query whose SQL contains ``marker``, call ``land`` first.

    The stand-in asks its fault registry for the rules of every query just before executing it, on the query's
    own thread; hooking there puts the new rows in S3 after the connector fixed its bound and before the read
    query scans the table, deterministically (no sleeps).
    """
    landed = threading.Event()
    original = athena.faults.take_query_rules

    def hook(sql: str) -> list[Any]:
        if marker in sql and not landed.is_set():
            land()
            landed.set()
        return original(sql)

    monkeypatch.setattr(athena.faults, "take_query_rules", hook)
    return landed


def test_rows_landing_during_a_sync_arrive_in_the_next_sync(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, table = "sem_landing", "orders"
    athena.put_table(database, table, rows([1, 2, 3], [100, 200, 300], pa.int64()))
    catalog = incremental(athena, database, table, "seq")
    landed = land_rows_before_the_read_query(
        athena,
        monkeypatch,
        f"(read {database}.{table})",
        lambda: athena.append_rows(database, table, rows([4, 5], [300, 400], pa.int64())),
    )
    athena.reset_observations()

    first = read_ok(athena, catalog, database)
    assert landed.is_set(), "the rows must have landed during the sync"
    sqls = [q.sql for q in athena.queries if f"{database}.{table}" in q.sql]
    assert len(sqls) == 2 and "max(" in sqls[0] and "(read " in sqls[1], "bound first, then the read"
    # Row 4 (cursor 300 = the bound) is within the bound; row 5 (400) landed past it: not this sync's.
    assert ids(first, table) == [1, 2, 3, 4]
    assert stream_blob(first, table)["cursor"] == "300"

    monkeypatch.undo()
    second = read_ok(athena, catalog, database, state=last_states(first))
    assert ids(second, table) == [3, 4, 5]
    assert set(ids(first, table)) | set(ids(second, table)) == {1, 2, 3, 4, 5}, "nothing lost"


# --- cursors that cannot be cursors -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cursor_kinds(local_athena: LocalAthena) -> dict[str, Any]:
    """``sem_cursor_kinds.kinds``: a struct, a boolean and a double column, discovered once."""
    local_athena.put_table(
        "sem_cursor_kinds",
        "kinds",
        pa.table(
            {
                "id": pa.array([1, 2], pa.int64()),
                "st": pa.array([{"a": 1}, {"a": 2}], pa.struct([("a", pa.int32())])),
                "flag": pa.array([True, False]),
            }
        ),
    )
    return discover(local_athena, "sem_cursor_kinds")


@pytest.mark.parametrize(
    ("cursor_field", "expected"),
    [
        (["st", "a"], "the cursor must be a top-level column, got ['st', 'a']"),
        (["nope"], "cursor column 'nope' does not exist"),
        (["flag"], "cursor column 'flag' has type boolean, which cannot be a cursor"),
    ],
    ids=["nested-path", "missing-column", "boolean-type"],
)
def test_a_cursor_that_cannot_be_one_is_a_config_error_naming_the_stream(
    athena: LocalAthena, cursor_kinds: dict[str, Any], cursor_field: list[str], expected: str
) -> None:
    catalog = configured_catalog(cursor_kinds, streams=["kinds"], sync_mode="incremental")
    catalog["streams"][0]["cursor_field"] = cursor_field
    run = read(athena, catalog, "sem_cursor_kinds")
    assert run.returncode == 1
    assert not run.records
    (error,) = [e for e in run.errors if e.get("stream_descriptor")]
    assert error["stream_descriptor"] == {"name": "kinds", "namespace": "sem_cursor_kinds"}
    assert "Stream sem_cursor_kinds.kinds" in error["message"] and expected in error["message"], error["message"]
    assert all(e["failure_type"] == "config_error" and not e.get("stack_trace") for e in run.errors), run.errors
    assert not [q for q in athena.queries if "sem_cursor_kinds" in q.sql], "no query for a refused cursor"


# --- a date data cursor, and what a double cursor does ------------------------------------------------------------
def test_date_cursor_reads_the_union_over_two_syncs(athena: LocalAthena) -> None:
    database, table = "sem_date_cursor", "shipments"
    day = dt.date.fromisoformat
    athena.put_table(database, table, rows([1, 2, 3], [day("2023-12-31"), day("2024-01-01"), None], pa.date32()))
    catalog = incremental(athena, database, table, "seq")
    first = read_ok(athena, catalog, database)
    assert stream_blob(first, table) == {"cursor_field": "seq", "cursor_type": "date", "cursor": "2024-01-01"}
    assert {r["id"]: r["seq"] for r in first.rows(table)}[2] == "2024-01-01"

    athena.append_rows(database, table, rows([4, 5], [day("2024-01-01"), day("2024-02-29")], pa.date32()))
    athena.reset_observations()
    second = read_ok(athena, catalog, database, state=last_states(first))
    assert ids(second, table) == [2, 4, 5]
    assert stream_blob(second, table)["cursor"] == "2024-02-29"
    (query,) = [q for q in athena.queries if f"(read {database}.{table})" in q.sql]
    assert """"seq" >= DATE '2024-01-01'""" in query.sql and """"seq" <= DATE '2024-02-29'""" in query.sql


def test_double_cursor_is_what_the_connector_accepts(athena: LocalAthena) -> None:
    """README lists integer, decimal, date, timestamp and string; the connector (types.ORDERABLE_KINDS) also takes
    real/double. This pins what the code does, read over two syncs, until README and code agree."""
    database, table = "sem_double_cursor", "readings"
    athena.put_table(database, table, rows([1, 2, 3], [0.5, 1.25, 2.75], pa.float64()))
    catalog = incremental(athena, database, table, "seq")
    first = read_ok(athena, catalog, database)
    assert ids(first, table) == [1, 2, 3]
    blob = stream_blob(first, table)
    assert blob["cursor_type"] == "double" and float(blob["cursor"]) == 2.75

    athena.append_rows(database, table, rows([4], [3.5], pa.float64()))
    second = read_ok(athena, catalog, database, state=last_states(first))
    assert ids(second, table) == [3, 4]
