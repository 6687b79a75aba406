"""An unpartitioned table bigger than a slice, read through the command line in chunks of its files (`"$path"`).

"Big" comes from Glue: the table's `totalSize` parameter says just under 3 slices (slicing.SLICE_TARGET_BYTES
each), as a crawler or `ANALYZE` would leave it, while its 12 files (of nearly equal size) are small; file_slices.py
spreads the stated size over the listed files, so 4 files make a slice. Queries are counted in the stand-in's query log.
"""

from __future__ import annotations

import signal
from collections import Counter
from typing import Any

import pyarrow as pa

from integration_tests.connector import (
    DEMO_CONFIG,
    Run,
    spawn_connector,
)
from integration_tests.stdout_reader import StdoutReader
from integration_tests.stream_reads import clean_read, read_queries, stream_catalog
from local_athena import LocalAthena
from source_skoot_athena.slicing import SLICE_TARGET_BYTES

DATABASE = "file_slices"
FILES = 12
ROWS_PER_FILE = 100
BUCKET = "skoot-data-demo"


def _rows(file: int) -> pa.Table:
    ids = range(file * ROWS_PER_FILE, (file + 1) * ROWS_PER_FILE)
    return pa.table({"id": pa.array(ids, pa.int64()), "note": pa.array([f"row {i}" for i in ids])})


def _put(athena: LocalAthena, table: str, *, stated_slices: float | None) -> list[str]:
    """A table of FILES files (ids 0..1199); its Glue `totalSize` says `stated_slices` slices. Its files, in order."""
    parameters = {"totalSize": str(int(SLICE_TARGET_BYTES * stated_slices))} if stated_slices else {}
    athena.put_table(DATABASE, table, _rows(0), parameters=parameters)
    for file in range(1, FILES):
        athena.append_rows(DATABASE, table, _rows(file))
    pages = athena.client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{DATABASE}/{table}/")
    files = sorted(f"s3://{BUCKET}/{item['Key']}" for page in pages for item in page.get("Contents", []))
    assert len(files) == FILES
    return files


def _catalog(athena: LocalAthena, table: str, cursor: str | None = None) -> dict[str, Any]:
    return stream_catalog(athena, DATABASE, table, cursor)


def _read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Run:
    return clean_read(athena, DATABASE, catalog, state)


def _in_list(sql: str) -> str:
    """The files a query names in its `"$path" IN (…)`; empty when it has none."""
    return sql.split('"$path" IN (', 1)[1].split(")", 1)[0] if '"$path" IN (' in sql else ""


def _blobs(run: Run, table: str) -> list[dict[str, Any]]:
    return [s["stream"]["stream_state"] for s in run.stream_states(table)]


def test_a_big_unpartitioned_table_is_read_in_file_chunks_with_every_row_exact(athena: LocalAthena) -> None:
    files = _put(athena, "big", stated_slices=2.9)
    catalog = _catalog(athena, "big")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted((r["id"], r["note"]) for r in run.rows("big")) == [(i, f"row {i}") for i in range(FILES * 100)]
    queries = read_queries(athena, "big")
    assert len(queries) == 3
    # Which files each query names (slices may run concurrently, so the log's order is not the plan's).
    named = sorted(tuple(f"'{f}'" in _in_list(q.sql) for f in files) for q in queries)
    assert named == sorted([(True,) * 4 + (False,) * 8, (False,) * 4 + (True,) * 4 + (False,) * 4, (False,) * 12])
    (tail,) = [q for q in queries if " IN (" not in q.sql]
    assert f"\"$path\" > '{files[7]}'" in tail.sql
    # Athena skips the files a "$path" filter excludes: each query scans about a third of the table.
    scanned = [q.data_scanned_bytes for q in queries]
    assert all(0 < s < sum(scanned) / 2 for s in scanned), scanned
    assert _blobs(run, "big") == [
        {"resume_after_file": files[3]},
        {"resume_after_file": files[7]},
        {"__ab_full_refresh_sync_complete": True},
    ]


def test_a_small_unpartitioned_table_stays_one_query(athena: LocalAthena) -> None:
    _put(athena, "small", stated_slices=None)
    catalog = _catalog(athena, "small")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted(r["id"] for r in run.rows("small")) == list(range(FILES * 100))
    (query,) = read_queries(athena, "small")
    assert '"$path"' not in query.sql and _blobs(run, "small") == [{"__ab_full_refresh_sync_complete": True}]


def test_a_killed_full_refresh_resumes_at_the_next_file_chunk(athena: LocalAthena) -> None:
    files = _put(athena, "resumed", stated_slices=2.9)
    catalog = _catalog(athena, "resumed")
    athena.faults.delay_query(f"'{files[4]}'", 60)  # the second chunk's query runs long: the kill lands in it
    with spawn_connector(
        "read", athena.env(), config={**DEMO_CONFIG, "databases": [DATABASE]}, catalog=catalog
    ) as process:
        reader = StdoutReader(process)
        reader.until(lambda message: message["type"] == "STATE", timeout=60)
        process.send_signal(signal.SIGKILL)
        lines = reader.finish(10)
    killed = Run(process.returncode, "", reader.stderr, lines)
    assert _blobs(killed, "resumed") == [{"resume_after_file": files[3]}]
    done = Counter(r["id"] for r in killed.rows("resumed"))
    assert set(done) == set(range(400)), "the first chunk, whole"

    athena.faults.clear()
    athena.reset_observations()
    resumed = _read(athena, catalog, state=killed.stream_states("resumed")[-1:])
    again = Counter(r["id"] for r in resumed.rows("resumed"))
    assert set(done) | set(again) == set(range(FILES * 100)), "rows lost"
    assert sum((done & again).values()) <= 4 * ROWS_PER_FILE, "more than one slice read twice"
    queries = read_queries(athena, "resumed")
    assert len(queries) == 2 and not any(f"'{f}'" in _in_list(q.sql) for q in queries for f in files[:4])
    assert sorted(_in_list(q.sql).count("'s3://") for q in queries) == [0, 4]
    assert _blobs(resumed, "resumed") == [{"resume_after_file": files[7]}, {"__ab_full_refresh_sync_complete": True}]


def test_an_incremental_stream_bounds_every_chunk_by_its_cursor(athena: LocalAthena) -> None:
    files = _put(athena, "cursor", stated_slices=2.9)
    catalog = _catalog(athena, "cursor", cursor="id")
    athena.reset_observations()
    first = _read(athena, catalog)
    assert sorted(r["id"] for r in first.rows("cursor")) == list(range(FILES * 100))
    queries = read_queries(athena, "cursor")
    assert len(queries) == 3 and all('("id" <= 1199 OR "id" IS NULL)' in q.sql for q in queries)
    states = _blobs(first, "cursor")
    assert [s.get("resume_after_file") for s in states] == [files[3], files[7], None]
    assert [s.get("pending_cursor") for s in states] == ["1199", "1199", None] and states[-1]["cursor"] == "1199"

    athena.append_rows(DATABASE, "cursor", _rows(FILES))  # ids 1200..1299 in a 13th file
    athena.reset_observations()
    second = _read(athena, catalog, state=first.stream_states("cursor")[-1:])
    assert sorted(r["id"] for r in second.rows("cursor")) == [1199, *range(1200, 1300)]
    assert all('"id" >= 1199' in q.sql and '"id" <= 1299' in q.sql for q in read_queries(athena, "cursor"))


def test_a_denied_listing_reads_the_big_table_in_one_query_with_a_warning(athena: LocalAthena) -> None:
    _put(athena, "unlisted", stated_slices=2.9)
    catalog = _catalog(athena, "unlisted")
    athena.faults.error("s3:ListObjectsV2", "AccessDenied", status=403, message="Access Denied")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted(r["id"] for r in run.rows("unlisted")) == list(range(FILES * 100))
    (query,) = read_queries(athena, "unlisted")
    assert '"$path"' not in query.sql
    assert any("AccessDenied" in log and "SkootUnderlyingDataS3" in log for log in run.logs), run.logs
