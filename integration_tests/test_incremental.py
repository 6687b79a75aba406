"""Incremental sync and resumable state, through the command line against the local Athena stand-in.

Each test owns a Glue database (`inc_<name>`) so tests never disturb each other or the demo.

Duplicates by design: the cursor's lower bound is inclusive (`cursor >= saved`), so rows whose cursor equals the
saved cursor are read again by the next sync (a partition-key cursor instead reads only the files it has not
read: test_file_incremental.py). Nothing present when a sync starts is ever skipped; destinations dedupe on the primary key.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import signal
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import (
    DEMO_CONFIG,
    Run,
    configured_catalog,
    discover_catalog,
    last_states,
    run_connector,
    spawn_connector,
    stream_state,
)
from integration_tests.glue_statistics import size_partitions
from integration_tests.stdout_reader import StdoutReader
from local_athena import LocalAthena
from source_skoot_athena.file_increments import WINDOW_VALUES


# --- helpers ------------------------------------------------------------------------------------------------
def config_for(database: str) -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [database]}


def discover(athena: LocalAthena, database: str) -> dict[str, Any]:
    return discover_catalog(athena, [database])


def read(
    athena: LocalAthena,
    database: str,
    catalog: dict[str, Any],
    state: Any = None,
) -> Run:
    return run_connector("read", athena.env(), config=config_for(database), catalog=catalog, state=state)


def read_ok(athena: LocalAthena, database: str, catalog: dict[str, Any], state: Any = None) -> Run:
    run = read(athena, database, catalog, state)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    run.assert_clean()
    assert not run.errors, run.errors
    return run


def stream_states(run: Run, stream: str) -> list[dict[str, Any]]:
    return run.stream_states(stream)


def blob(run: Run, stream: str) -> dict[str, Any]:
    states = stream_states(run, stream)
    assert states, f"no STATE for {stream}"
    result: dict[str, Any] = states[-1]["stream"]["stream_state"]
    return result


def read_queries(athena: LocalAthena, table: str) -> list[Any]:
    """The stand-in's record of the queries that read `table`'s rows (not the `max(cursor)` bound)."""
    return [q for q in athena.queries if f'"{table}"' in q.sql and "(read " in q.sql]


def estimates(run: Run, stream: str) -> list[dict[str, Any]]:
    return [
        m["trace"]["estimate"]
        for m in run.of_type("TRACE")
        if m["trace"]["type"] == "ESTIMATE" and m["trace"]["estimate"]["name"] == stream
    ]


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# --- cursor columns of every kind on unpartitioned tables ---------------------------------------------------
BIG = 2**62  # far beyond 2^53: a float would round it
D = decimal.Decimal


def _cursor_tables(athena: LocalAthena, database: str) -> None:
    athena.put_table(
        database,
        "events_ts",
        pa.table(
            {
                "id": pa.array([1, 2, 3, 4], pa.int64()),
                "updated_at": pa.array(
                    [
                        ts("2024-01-01 10:00:00"),
                        ts("2024-01-02 10:00:00.5"),
                        ts("2024-01-03 10:00:00.123"),
                        ts("2024-01-03 10:00:00.123"),
                    ],
                    pa.timestamp("ms"),
                ),
            }
        ),
        parameters={"recordCount": "4", "totalSize": "2048"},
    )
    athena.put_table(
        database,
        "events_us",
        pa.table(
            {
                "id": pa.array([1, 2, 3], pa.int64()),
                "changed_at": pa.array(
                    [
                        ts("2024-02-01 00:00:00.000001"),
                        ts("2024-02-01 00:00:00.123456"),
                        ts("2024-02-01 00:00:00.123457"),
                    ],
                    pa.timestamp("us"),
                ),
            }
        ),
        glue_types={"changed_at": "timestamp(6)"},
    )
    # No Iceberg table here: the stand-in does not model Iceberg (Athena reads it through its metadata, a later
    # issue) and refuses to read one as Hive. Glue's ICEBERG marker -> microsecond timestamps is covered by
    # test_discover's Iceberg test and unit_tests/test_types; events_us is the microsecond cursor read here.
    athena.put_table(
        database,
        "events_dec",
        pa.table(
            {
                "id": pa.array([1, 2, 3], pa.int64()),
                "amount": pa.array(
                    [D("1.000000"), D("98765432109876.500000"), D("98765432109876.543210")], pa.decimal128(20, 6)
                ),
            }
        ),
    )
    athena.put_table(
        database,
        "events_big",
        pa.table({"id": pa.array([1, 2, 3], pa.int64()), "seq": pa.array([5, BIG + 1, BIG + 3], pa.int64())}),
    )


CURSORS = {
    "events_ts": "updated_at",
    "events_us": "changed_at",
    "events_dec": "amount",
    "events_big": "seq",
}


@dataclass
class TwoSyncs:
    """A first sync of every cursor table, rows landing (some equal to the saved cursor), a second sync from the
    first one's state; the SQL the second sync sent per table."""

    database: str
    first: Run
    second: Run
    second_sql: dict[str, str]


def _land_rows(athena: LocalAthena, database: str) -> None:
    """Rows land: some equal to the saved cursor (the boundary), the rest past it."""
    athena.append_rows(
        database,
        "events_ts",
        pa.table(
            {
                "id": pa.array([5, 6], pa.int64()),
                "updated_at": pa.array(
                    [ts("2024-01-03 10:00:00.123"), ts("2024-01-03 10:00:00.124")], pa.timestamp("ms")
                ),
            }
        ),
    )
    athena.append_rows(
        database,
        "events_us",
        pa.table(
            {
                "id": pa.array([4, 5], pa.int64()),
                "changed_at": pa.array(
                    [ts("2024-02-01 00:00:00.123457"), ts("2024-02-01 00:00:00.123458")], pa.timestamp("us")
                ),
            }
        ),
    )
    athena.append_rows(
        database,
        "events_dec",
        pa.table(
            {
                "id": pa.array([4, 5], pa.int64()),
                "amount": pa.array([D("98765432109876.543210"), D("98765432109876.543211")], pa.decimal128(20, 6)),
            }
        ),
    )
    athena.append_rows(
        database,
        "events_big",
        pa.table({"id": pa.array([4, 5], pa.int64()), "seq": pa.array([BIG + 3, BIG + 4], pa.int64())}),
    )


@pytest.fixture(scope="module")
def two_syncs(local_athena: LocalAthena) -> TwoSyncs:
    athena, database = local_athena, "inc_cursors"
    athena.faults.clear()
    _cursor_tables(athena, database)
    catalog = configured_catalog(
        discover(athena, database), streams=list(CURSORS), sync_mode="incremental", cursor=CURSORS
    )
    first = read_ok(athena, database, catalog)
    _land_rows(athena, database)
    athena.reset_observations()
    second = read_ok(athena, database, catalog, state=last_states(first))
    sqls = {table: " ".join(q.sql for q in read_queries(athena, table)) for table in CURSORS}
    return TwoSyncs(database, first, second, sqls)


def test_first_sync_completes_each_stream_with_one_state(two_syncs: TwoSyncs) -> None:
    for stream in CURSORS:
        assert two_syncs.first.statuses(stream) == ["STARTED", "RUNNING", "COMPLETE"], stream
        assert len(stream_states(two_syncs.first, stream)) == 1, stream
    assert sorted(r["id"] for r in two_syncs.first.rows("events_ts")) == [1, 2, 3, 4]


# The cursor as Athena's typed text: a timestamp keeps its fraction (µs for timestamp(6)), a decimal every digit,
# a bigint beyond 2^53 is exact.
FIRST_CURSORS = {
    "events_ts": "2024-01-03 10:00:00.123",
    "events_us": "2024-02-01 00:00:00.123457",
    "events_dec": "98765432109876.543210",
    "events_big": str(BIG + 3),
}
SECOND_CURSORS = {
    "events_ts": "2024-01-03 10:00:00.124",
    "events_us": "2024-02-01 00:00:00.123458",
    "events_dec": "98765432109876.543211",
    "events_big": str(BIG + 4),
}
# Only rows at or past the saved cursor: the boundary rows again (inclusive lower bound) and the new ones.
SECOND_IDS = {
    "events_ts": [3, 4, 5, 6],
    "events_us": [3, 4, 5],
    "events_dec": [3, 4, 5],
    "events_big": [3, 4, 5],
}
ROW_COUNTS = {"events_ts": 6, "events_us": 5, "events_dec": 5, "events_big": 5}


@pytest.mark.parametrize("stream", sorted(CURSORS))
def test_saved_cursor_is_athenas_typed_text(two_syncs: TwoSyncs, stream: str) -> None:
    assert blob(two_syncs.first, stream)["cursor"] == FIRST_CURSORS[stream]
    assert blob(two_syncs.second, stream)["cursor"] == SECOND_CURSORS[stream]


def test_state_blob_names_field_type_and_cursor(two_syncs: TwoSyncs) -> None:
    assert blob(two_syncs.first, "events_ts") == {
        "cursor_field": "updated_at",
        "cursor_type": "timestamp",
        "cursor": "2024-01-03 10:00:00.123",
    }


@pytest.mark.parametrize("stream", sorted(CURSORS))
def test_second_sync_reads_from_the_saved_cursor_inclusive(two_syncs: TwoSyncs, stream: str) -> None:
    assert sorted(r["id"] for r in two_syncs.second.rows(stream)) == SECOND_IDS[stream]


@pytest.mark.parametrize("stream", sorted(CURSORS))
def test_two_syncs_lose_no_row(two_syncs: TwoSyncs, stream: str) -> None:
    ids = {r["id"] for r in two_syncs.first.rows(stream) + two_syncs.second.rows(stream)}
    assert ids == set(range(1, ROW_COUNTS[stream] + 1))


def test_estimate_comes_from_glue_statistics_on_the_first_sync_only(two_syncs: TwoSyncs) -> None:
    assert estimates(two_syncs.first, "events_ts") == [
        {
            "name": "events_ts",
            "namespace": two_syncs.database,
            "type": "STREAM",
            "row_estimate": 4,
            "byte_estimate": 2048,
        }
    ]
    assert not estimates(two_syncs.second, "events_ts"), "the whole table's statistics overstate an incremental read"


def test_bigint_values_beyond_2_53_stay_exact_in_records(two_syncs: TwoSyncs) -> None:
    assert {r["seq"] for r in two_syncs.second.rows("events_big")} == {BIG + 3, BIG + 4}


# Typed literals in the filters (Athena rejects `timestamp >= varchar`).
SQL_BOUNDS = {
    "events_ts": [
        """"updated_at" >= TIMESTAMP '2024-01-03 10:00:00.123'""",
        """"updated_at" <= TIMESTAMP '2024-01-03 10:00:00.124'""",
    ],
    "events_us": [""""changed_at" >= TIMESTAMP '2024-02-01 00:00:00.123457'"""],
    "events_dec": [""""amount" >= DECIMAL '98765432109876.543210'"""],
    "events_big": [f'"seq" >= {BIG + 3}', f'"seq" <= {BIG + 4}'],
}


@pytest.mark.parametrize("stream", sorted(SQL_BOUNDS))
def test_cursor_bounds_are_typed_literals(two_syncs: TwoSyncs, stream: str) -> None:
    for bound in SQL_BOUNDS[stream]:
        assert bound in two_syncs.second_sql[stream], (bound, two_syncs.second_sql[stream])


# --- partitioned tables -------------------------------------------------------------------------------------
DAYS = [(dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(101)]
ROWS_PER_PARTITION = 20


def _partitioned(days: list[str], first_id: int = 0) -> pa.Table:
    n = len(days) * ROWS_PER_PARTITION
    return pa.table(
        {
            "id": pa.array(range(first_id, first_id + n), pa.int64()),
            "payload": pa.array([f"row {i} " + "x" * 40 for i in range(first_id, first_id + n)]),
            "dt": pa.array([d for d in days for _ in range(ROWS_PER_PARTITION)]),
        }
    )


def test_partition_key_cursor_reads_and_scans_only_new_files(athena: LocalAthena) -> None:
    database, table = "inc_partkey", "clicks"
    athena.put_table(database, table, _partitioned(DAYS[:100]), partition_keys=["dt"])
    catalog = configured_catalog(
        discover(athena, database), streams=[table], sync_mode="incremental", cursor={table: "dt"}
    )
    athena.reset_observations()

    first = read_ok(athena, database, catalog)
    assert len(first.rows(table)) == 100 * ROWS_PER_PARTITION
    # The partitions' files are small: one slice; the state remembers the files of the last days read.
    final = blob(first, table)
    assert {k: final[k] for k in ("cursor_field", "cursor_type", "cursor")} == {
        "cursor_field": "dt",
        "cursor_type": "string",
        "cursor": DAYS[99],
    }
    assert [e["partition"] for e in final["recent_files"]] == [[d] for d in DAYS[100 - WINDOW_VALUES : 100]]
    assert not [q for q in athena.queries if "max(" in q.sql], "a partition-key cursor needs no max() query"
    full_bytes = sum(q.data_scanned_bytes for q in read_queries(athena, table))

    # One new partition, and a late row (a new file) in the partition equal to the saved cursor.
    athena.append_rows(database, table, _partitioned([DAYS[100]], first_id=100_000))
    late = _partitioned([DAYS[99]], first_id=200_000).slice(0, 1)
    athena.append_rows(database, table, late)
    athena.reset_observations()

    second = read_ok(athena, database, catalog, state=last_states(first))
    ids = [r["id"] for r in second.rows(table)]
    # Only the new files: the new partition and the late row, nothing read again.
    assert sorted(ids) == [*range(100_000, 100_000 + ROWS_PER_PARTITION), 200_000]
    assert blob(second, table)["cursor"] == DAYS[100]
    # Glue was asked for the partitions of the window only, and the SQL names only those with new files.
    assert athena.calls["glue:GetPartitions"] >= 1
    queries = read_queries(athena, table)
    assert len(queries) == 1
    named = {day for day in DAYS if f"'{day}'" in queries[0].sql}
    assert named == {DAYS[99], DAYS[100]}
    # Bytes scanned as Athena counts them on Parquet (the selected columns' chunks and each file's footer, in the
    # files read): the sync read 2 files (the new partition's and the late row's) where the full read read 100
    # files of the same size; this is README's figure.
    incremental_bytes = sum(q.data_scanned_bytes for q in queries)
    ratio = incremental_bytes / full_bytes
    print(f"bytes scanned: full {full_bytes}, incremental of 1 new partition and 1 late file {incremental_bytes}")
    assert 0 < ratio < 0.02, f"{ratio:.2%}"
    # ESTIMATE: the new files' bytes as S3 stores them (the files named in the query's "$path" filter); Athena
    # bills fewer, only the selected columns' chunks.
    s3 = athena.client("s3")
    in_list = queries[0].sql.split('"$path" IN (', 1)[1].split(")", 1)[0]
    named_files = re.findall(r"'s3://([^/']+)/([^']+)'", in_list)
    new_bytes = sum(s3.head_object(Bucket=b, Key=k)["ContentLength"] for b, k in named_files)
    assert len(named_files) == 2 and incremental_bytes <= new_bytes
    assert [e.get("byte_estimate") for e in estimates(second, table)] == [new_bytes]


def test_killed_full_refresh_resumes_at_the_next_slice(athena: LocalAthena) -> None:
    database, table = "inc_resume", "visits"
    athena.put_table(database, table, _partitioned(DAYS[:100]), partition_keys=["dt"])
    size_partitions(athena, database, table, DAYS[:100])
    catalog = configured_catalog(discover(athena, database), streams=[table])
    # Slices 3+ take long, so the sync is surely mid-stream when it is killed.
    athena.faults.delay_query(f"'{DAYS[40]}'", 60)

    with spawn_connector("read", athena.env(), config=config_for(database), catalog=catalog) as process:
        reader = StdoutReader(process)
        reader.until(lambda message: message["type"] == "STATE", timeout=60)  # fails at 60 s even if silent
        process.send_signal(signal.SIGKILL)
        lines = reader.finish(10)  # whatever was already delivered
    assert process.returncode == -signal.SIGKILL
    killed = Run(process.returncode, "", reader.stderr, lines)
    states = stream_states(killed, table)
    assert states, "no STATE before the kill"
    # Mid-refresh: the state names the last partition read.
    assert states[-1]["stream"]["stream_state"] in ({"resume_after": [DAYS[19]]}, {"resume_after": [DAYS[39]]})
    done = Counter(r["id"] for r in killed.rows(table))
    assert 0 < len(done) < 100 * ROWS_PER_PARTITION

    athena.faults.clear()
    athena.reset_observations()
    resumed = read_ok(athena, database, catalog, state=[states[-1]])
    again = Counter(r["id"] for r in resumed.rows(table))
    assert set(done) | set(again) == set(range(100 * ROWS_PER_PARTITION)), "rows lost"
    reread = done & again
    assert sum(reread.values()) <= 20 * ROWS_PER_PARTITION, "more than one slice read twice"
    # The partitions of the finished slices are not queried again.
    sqls = " ".join(q.sql for q in read_queries(athena, table))
    assert f"'{DAYS[0]}'" not in sqls and f"'{DAYS[19]}'" not in sqls
    # A STATE after each remaining slice; the last one ends the refresh.
    resumed_states = [s["stream"]["stream_state"] for s in stream_states(resumed, table)]
    assert resumed_states[-1] == {"__ab_full_refresh_sync_complete": True}
    assert all("resume_after" in s for s in resumed_states[:-1])
    assert len(resumed_states) == len(read_queries(athena, table))


# --- state input --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def state_catalog(local_athena: LocalAthena) -> dict[str, Any]:
    """`inc_state.orders` (ids 1..3, cursor `id`), set up and discovered once for the state-input tests."""
    local_athena.put_table("inc_state", "orders", pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    return configured_catalog(
        discover(local_athena, "inc_state"), streams=["orders"], sync_mode="incremental", cursor={"orders": "id"}
    )


def test_stale_stream_and_legacy_messages_are_ignored_with_a_warning(
    athena: LocalAthena, state_catalog: dict[str, Any]
) -> None:
    """A state for a stream not in the catalog and a LEGACY message are ignored with a warning; an empty blob
    starts the stream fresh."""
    database, catalog = "inc_state", state_catalog
    stale = stream_state("dropped_table", database, {"cursor_field": "id", "cursor_type": "bigint", "cursor": "9"})
    legacy = {"type": "LEGACY", "data": {"orders": {"id": 2}}}
    run = read_ok(athena, database, catalog, state=[stale, legacy, stream_state("orders", database, {})])
    assert sorted(r["id"] for r in run.rows("orders")) == [1, 2, 3]
    assert any("dropped_table" in log and "not in the catalog" in log for log in run.logs), run.logs
    assert any("LEGACY" in log and "Ignoring" in log for log in run.logs), run.logs
    assert blob(run, "orders")["cursor"] == "3"


def test_an_empty_state_list_starts_fresh(athena: LocalAthena, state_catalog: dict[str, Any]) -> None:
    run = read_ok(athena, "inc_state", state_catalog, state=[])
    assert sorted(r["id"] for r in run.rows("orders")) == [1, 2, 3]


def test_a_legacy_state_file_is_ignored_with_a_warning(athena: LocalAthena, state_catalog: dict[str, Any]) -> None:
    """The legacy shape of the whole file (one object keyed by stream): ignored with a warning, not a crash."""
    run = read_ok(athena, "inc_state", state_catalog, state={"orders": {"id": 2}})
    assert sorted(r["id"] for r in run.rows("orders")) == [1, 2, 3]
    assert any("legacy state" in log for log in run.logs), run.logs


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"cursor_field": "id", "cursor_type": "bigint", "cursor": "abc"}, "'abc'"),
        ("not an object", "not an object"),
    ],
    ids=["wrong-type-cursor", "blob-text"],
)
def test_bad_state_is_a_config_error_naming_the_stream(
    athena: LocalAthena, state_catalog: dict[str, Any], state: Any, expected: str
) -> None:
    run = read(athena, "inc_state", state_catalog, state=[stream_state("orders", "inc_state", state)])
    assert run.returncode == 1
    run.assert_clean()
    assert not run.records
    error = run.errors[-1]
    assert error["failure_type"] == "config_error", error
    assert "orders" in error["message"] and expected in error["message"], error["message"]
    assert not error.get("stack_trace")
