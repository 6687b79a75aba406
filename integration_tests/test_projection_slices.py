"""Tables with partition projection, read through the command line in slices of their projected partitions.

The table `dt` is projected daily from 2024-01-01 to NOW (about a thousand values); only DAYS of them hold files,
and a folder outside the range (2023-12-31) holds rows Athena does not read. Glue's table `totalSize` says just
under 3 slices (slicing.SLICE_TARGET_BYTES each), as a crawler or ANALYZE would leave it, so the 12 days make 3
slices of 4. The expected rows are what Athena answers to one `SELECT` of the whole table.
"""

from __future__ import annotations

import signal
from collections import Counter
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
)
from integration_tests.stdout_reader import StdoutReader
from local_athena import LocalAthena
from local_athena.testing import all_rows, run
from source_skoot_athena.slicing import SLICE_TARGET_BYTES

DB = "projection_slices"
DAYS = [f"2024-01-{n:02d}" for n in range(2, 14)]  # 12 days with files
OUTSIDE = "2023-12-31"  # files in a folder the projection does not name
ROWS_PER_DAY = 5
PROJECTION = {
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.range": "2024-01-01,NOW",
    "projection.dt.format": "yyyy-MM-dd",
}


def _rows(days: list[str], first_id: int) -> pa.Table:
    ids = range(first_id, first_id + len(days) * ROWS_PER_DAY)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "note": pa.array([f"row {i}" for i in ids]),
            "dt": pa.array([d for d in days for _ in range(ROWS_PER_DAY)]),
        }
    )


def _put(athena: LocalAthena, table: str, *, stated_slices: float | None = 2.9, **projection: str) -> None:
    parameters = {**PROJECTION, **projection}
    if stated_slices:
        parameters["totalSize"] = str(int(SLICE_TARGET_BYTES * stated_slices))
    data = _rows([OUTSIDE, *DAYS], 0)
    athena.put_table(DB, table, data, partition_keys=["dt"], register_partitions=False, parameters=parameters)


def _one_query(athena: LocalAthena, table: str) -> list[tuple[int, str, str]]:
    """The rows Athena returns to one SELECT of the whole table."""
    client = athena.client("athena")
    qe = run(client, f'SELECT id, note, dt FROM "{DB}"."{table}"')
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return sorted((int(r[0] or 0), str(r[1]), str(r[2])) for r in all_rows(client, qe["QueryExecutionId"])[1:])


def _catalog(athena: LocalAthena, table: str, cursor: str | None = None) -> dict[str, Any]:
    return configured_catalog(
        discover_catalog(athena, [DB]),
        streams=[table],
        sync_mode="incremental" if cursor else "full_refresh",
        cursor={table: cursor} if cursor else None,
    )


def _read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Run:
    result = run_connector(
        "read", athena.env(), config={**DEMO_CONFIG, "databases": [DB]}, catalog=catalog, state=state
    )
    assert result.returncode == 0 and not result.errors, result.stdout[-3000:] + result.stderr[-3000:]
    result.assert_clean()
    return result


def _got(result: Run, table: str) -> list[tuple[int, str, str]]:
    return sorted((r["id"], r["note"], r["dt"]) for r in result.rows(table))


def _read_queries(athena: LocalAthena, table: str) -> list[Any]:
    return [q for q in athena.queries if f'"{table}"' in q.sql and "(read " in q.sql]


def _named_days(sql: str) -> list[str]:
    """The projected values a query names in its `"dt" IN (…)`."""
    inside = sql.split('"dt" IN (', 1)[1].split(")", 1)[0] if '"dt" IN (' in sql else ""
    return [v.strip().strip("'") for v in inside.split(",") if v.strip()]


def _blobs(result: Run, table: str) -> list[dict[str, Any]]:
    return [s["stream"]["stream_state"] for s in result.stream_states(table)]


def test_a_projected_table_is_read_in_slices_with_the_rows_of_one_query(athena_sandbox: LocalAthena) -> None:
    _put(athena_sandbox, "daily")
    expected = _one_query(athena_sandbox, "daily")
    assert len(expected) == len(DAYS) * ROWS_PER_DAY and OUTSIDE not in {dt for _, _, dt in expected}
    catalog = _catalog(athena_sandbox, "daily")
    athena_sandbox.reset_observations()
    result = _read(athena_sandbox, catalog)
    assert _got(result, "daily") == expected
    queries = _read_queries(athena_sandbox, "daily")
    # Three slices of four days; the ~1,000 projected days without files are named by no query.
    assert sorted(_named_days(q.sql) for q in queries) == [DAYS[0:4], DAYS[4:8], DAYS[8:12]]
    assert athena_sandbox.calls["glue:GetPartitions"] == 0
    assert _blobs(result, "daily") == [
        {"resume_after": [DAYS[3]]},
        {"resume_after": [DAYS[7]]},
        {"__ab_full_refresh_sync_complete": True},
    ]
    assert any("projected partitions hold no file in S3" in log for log in result.logs), result.logs


def test_a_sync_stopped_after_a_slice_resumes_and_reads_every_row_exactly_once(athena_sandbox: LocalAthena) -> None:
    _put(athena_sandbox, "stopped")
    expected = Counter(row for row in _one_query(athena_sandbox, "stopped"))
    catalog = _catalog(athena_sandbox, "stopped")
    athena_sandbox.faults.delay_query(f"'{DAYS[4]}'", 60)  # the second slice runs long: the kill lands in it
    config = {**DEMO_CONFIG, "databases": [DB]}
    with spawn_connector("read", athena_sandbox.env(), config=config, catalog=catalog) as process:
        reader = StdoutReader(process)
        reader.until(lambda message: message["type"] == "STATE", timeout=60)
        process.send_signal(signal.SIGKILL)
        lines = reader.finish(10)
    killed = Run(process.returncode, "", reader.stderr, lines)
    assert _blobs(killed, "stopped") == [{"resume_after": [DAYS[3]]}]

    athena_sandbox.faults.clear()
    athena_sandbox.reset_observations()
    resumed = _read(athena_sandbox, catalog, state=killed.stream_states("stopped")[-1:])
    both = Counter(_got(killed, "stopped")) + Counter(_got(resumed, "stopped"))
    assert both == expected, "every row exactly once over the stopped and the resumed sync"
    assert sorted(_named_days(q.sql) for q in _read_queries(athena_sandbox, "stopped")) == [DAYS[4:8], DAYS[8:12]]


def test_a_projected_key_cursor_reads_only_new_files_and_never_passes_the_data(athena_sandbox: LocalAthena) -> None:
    _put(athena_sandbox, "by_day", stated_slices=None)
    catalog = _catalog(athena_sandbox, "by_day", cursor="dt")
    first = _read(athena_sandbox, catalog)
    assert _got(first, "by_day") == _one_query(athena_sandbox, "by_day")
    assert _blobs(first, "by_day")[-1]["cursor"] == DAYS[-1], "the last day with data, not NOW"

    # A file lands in the newest day, a late one in an older day, and a new day gets files.
    new_day = "2024-01-20"
    athena_sandbox.append_rows(DB, "by_day", _rows([DAYS[-1], DAYS[-3], new_day], 1000))
    athena_sandbox.reset_observations()
    second = _read(athena_sandbox, catalog, last_states(first))
    assert sorted(r["id"] for r in second.rows("by_day")) == list(range(1000, 1000 + 3 * ROWS_PER_DAY))
    assert _blobs(second, "by_day")[-1]["cursor"] == new_day
    days_listed = [q for q in _read_queries(athena_sandbox, "by_day")]
    assert all(set(_named_days(q.sql)) <= {DAYS[-3], DAYS[-1], new_day} for q in days_listed)


def test_a_projected_key_cursor_without_a_listing_is_bounded_by_the_data(athena_sandbox: LocalAthena) -> None:
    _put(athena_sandbox, "unlisted", stated_slices=None)
    catalog = _catalog(athena_sandbox, "unlisted", cursor="dt")
    athena_sandbox.faults.error("s3:ListObjectsV2", "AccessDenied", status=403, message="Access Denied")
    athena_sandbox.reset_observations()
    first = _read(athena_sandbox, catalog)
    assert _got(first, "unlisted") == _one_query(athena_sandbox, "unlisted")
    assert _blobs(first, "unlisted")[-1]["cursor"] == DAYS[-1], "the cursor is max(dt), not the projection's NOW"
    # Only the projected days up to max(dt) are queried (2024-01-01 has no file, but could not be known empty).
    named = sorted(d for q in _read_queries(athena_sandbox, "unlisted") for d in _named_days(q.sql))
    assert named == ["2024-01-01", *DAYS]

    athena_sandbox.append_rows(DB, "unlisted", _rows(["2024-01-20"], 1000))
    athena_sandbox.reset_observations()
    second = _read(athena_sandbox, catalog, last_states(first))
    ids = sorted(r["id"] for r in second.rows("unlisted"))
    last_day = [i for i, _, dt in _one_query(athena_sandbox, "unlisted") if dt == DAYS[-1]]
    assert ids == sorted(last_day + list(range(1000, 1000 + ROWS_PER_DAY))), "the saved day again, and the new one"
    named = sorted(d for q in _read_queries(athena_sandbox, "unlisted") for d in _named_days(q.sql))
    assert named == [DAYS[-1], *(f"2024-01-{n}" for n in range(14, 21))]
    assert _blobs(second, "unlisted")[-1]["cursor"] == "2024-01-20"


def test_a_plain_column_cursor_bounds_every_slice(athena_sandbox: LocalAthena) -> None:
    _put(athena_sandbox, "by_id")
    catalog = _catalog(athena_sandbox, "by_id", cursor="id")
    first = _read(athena_sandbox, catalog)
    expected = _one_query(athena_sandbox, "by_id")
    assert _got(first, "by_id") == expected
    top = str(max(i for i, _, _ in expected))
    states = _blobs(first, "by_id")
    assert [s.get("resume_after") for s in states] == [[DAYS[3]], [DAYS[7]], None]
    assert [s.get("pending_cursor") for s in states] == [top, top, None] and states[-1]["cursor"] == top

    athena_sandbox.append_rows(DB, "by_id", _rows([DAYS[0], "2024-01-20"], 1000))
    athena_sandbox.reset_observations()
    second = _read(athena_sandbox, catalog, last_states(first))
    assert sorted(r["id"] for r in second.rows("by_id")) == [int(top), *range(1000, 1000 + 2 * ROWS_PER_DAY)]
    assert all(f'"id" >= {top}' in q.sql for q in _read_queries(athena_sandbox, "by_id"))


@pytest.mark.parametrize("listed", [True, False])
def test_a_projection_over_empty_folders_is_complete_and_empty_as_in_athena(
    athena_sandbox: LocalAthena, listed: bool
) -> None:
    # Files only outside the projected range: Athena reads none of them.
    data = _rows([OUTSIDE], 0)
    parameters = {**PROJECTION, "projection.dt.range": "2024-01-01,2024-03-31"}
    athena_sandbox.put_table(DB, "empty", data, partition_keys=["dt"], register_partitions=False, parameters=parameters)
    assert _one_query(athena_sandbox, "empty") == []
    catalog = _catalog(athena_sandbox, "empty")
    if not listed:
        athena_sandbox.faults.error("s3:ListObjectsV2", "AccessDenied", status=403, message="Access Denied")
    athena_sandbox.reset_observations()
    result = _read(athena_sandbox, catalog)
    assert result.rows("empty") == [] and result.statuses("empty")[-1] == "COMPLETE"
    # Listed: every folder is known empty, so nothing is queried; unlisted: the 91 days are queried, and are empty.
    assert (len(_read_queries(athena_sandbox, "empty")) == 0) is listed


def test_a_projection_athena_refuses_fails_its_stream_instead_of_reading_empty(athena_sandbox: LocalAthena) -> None:
    # A range that ends before it starts projects nothing here, but Athena refuses the table's queries.
    data = _rows(DAYS[:2], 0)
    parameters = {**PROJECTION, "projection.dt.range": "2024-01-05,2024-01-01"}
    athena_sandbox.put_table(
        DB, "refused", data, partition_keys=["dt"], register_partitions=False, parameters=parameters
    )
    athena_sandbox.put_table(DB, "plain", _rows(DAYS[:1], 0))
    catalog = configured_catalog(discover_catalog(athena_sandbox, [DB]), streams=["refused", "plain"])
    result = run_connector("read", athena_sandbox.env(), config={**DEMO_CONFIG, "databases": [DB]}, catalog=catalog)
    assert result.returncode == 1 and result.statuses("refused")[-1] == "INCOMPLETE"
    assert any("INVALID_COLUMN_PROPERTY" in e["message"] for e in result.errors), result.errors
    assert result.rows("refused") == [] and len(result.rows("plain")) == ROWS_PER_DAY
