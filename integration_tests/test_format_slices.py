"""Iceberg and Delta tables bigger than a slice, read through the command line in ranges of their files' paths.

"Big" comes from the tables' own metadata: each of the 12 data files is stated (Iceberg manifest, Delta `add`
action) at a quarter of a slice (slicing.SLICE_TARGET_BYTES), as a writer would record a big file, so 4 files make
a slice and the table reads in 3 queries. A sync "stopped after chunk k" is resumed from the STATE written after
chunk k, which is what the platform keeps when a sync stops there. Queries are counted in the stand-in's log.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from integration_tests.connector import Run, configured_catalog, discover_catalog, run_connector
from integration_tests.stream_reads import clean_read, read_queries, stream_catalog
from integration_tests.test_iam import SCOPE_A, denied, texts
from integration_tests.test_iam import config as iam_config
from local_athena import LocalAthena
from local_athena.testing import all_rows, run
from source_skoot_athena.catalog import TableInfo
from source_skoot_athena.delta_log import read_delta_log
from source_skoot_athena.iceberg_files import current_snapshot, read_metadata
from source_skoot_athena.slicing import SLICE_TARGET_BYTES

DATABASE = "format_slices"
FILES = 12
ROWS_PER_FILE = 100
QUARTER = SLICE_TARGET_BYTES // 4


def _rows(file: int) -> pa.Table:
    ids = range(file * ROWS_PER_FILE, (file + 1) * ROWS_PER_FILE)
    return pa.table({"id": pa.array(ids, pa.int64()), "note": pa.array([f"row {i}" for i in ids])})


def _put_iceberg(athena: LocalAthena, table: str, *, stated: int | None = QUARTER) -> None:
    """An Iceberg table of FILES snapshots, one data file each (ids 0..1199)."""
    athena.put_iceberg_table(DATABASE, table, _rows(0), stated_bytes=stated)
    for file in range(1, FILES):
        athena.append_iceberg(DATABASE, table, _rows(file), stated_bytes=stated)


def _grouped(file: int) -> pa.Table:
    return _rows(file).append_column("grp", pa.array([f"g{file + 1:02d}"] * ROWS_PER_FILE))


def _put_delta(athena: LocalAthena, table: str) -> str:
    """A Delta table of FILES commits, one file each in its own partition g01..g12 (so paths sort by commit)."""
    location = athena.put_delta_table(DATABASE, table, _grouped(0), partition_keys=["grp"], stated_bytes=QUARTER)
    for file in range(1, FILES):
        athena.commit_delta(location, _grouped(file), ["grp"], stated_bytes=QUARTER)
    return location


def _catalog(athena: LocalAthena, table: str, cursor: str | None = None) -> dict[str, Any]:
    return stream_catalog(athena, DATABASE, table, cursor)


def _read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Run:
    return clean_read(athena, DATABASE, catalog, state)


def _blobs(run: Run, table: str) -> list[dict[str, Any]]:
    return [s["stream"]["stream_state"] for s in run.stream_states(table)]


def _ids_until_state(run: Run, table: str, k: int) -> list[int]:
    """The ids the run wrote before its k-th STATE of the stream (1-based): what a sync stopped there delivered."""
    ids: list[int] = []
    seen = 0
    for message in run.messages:
        if message["type"] == "RECORD" and message["record"]["stream"] == table:
            ids.append(message["record"]["data"]["id"])
        elif message["type"] == "STATE" and message["state"]["stream"]["stream_descriptor"]["name"] == table:
            seen += 1
            if seen == k:
                return ids
    raise AssertionError(f"fewer than {k} states")


def _current_snapshot(athena: LocalAthena, table: str) -> str:
    glue = athena.client("glue").get_table(DatabaseName=DATABASE, Name=table)["Table"]
    bucket, key = glue["Parameters"]["metadata_location"][len("s3://") :].split("/", 1)
    body = athena.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return str(json.loads(body)["current-snapshot-id"])


def _files(athena: LocalAthena, table: str) -> list[str]:
    """The table's live data files in path order, as `"$path"` shows them."""
    client = athena.client("athena")
    qe = run(client, f'SELECT DISTINCT "$path" FROM {DATABASE}.{table}')
    return sorted(str(r[0]) for r in all_rows(client, qe["QueryExecutionId"])[1:])


# --- Iceberg -------------------------------------------------------------------------------------------------
def test_a_big_iceberg_table_is_read_in_ranges_of_its_pinned_snapshot(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice")
    files, snapshot = _files(athena, "ice"), _current_snapshot(athena, "ice")
    catalog = _catalog(athena, "ice")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted((r["id"], r["note"]) for r in run.rows("ice")) == [(i, f"row {i}") for i in range(FILES * 100)]
    queries = read_queries(athena, "ice")
    assert len(queries) == 3 and all(f"FOR VERSION AS OF {snapshot}" in q.sql for q in queries)
    ranges = sorted((f"'{files[3]}'" in q.sql, f"'{files[7]}'" in q.sql) for q in queries)
    assert ranges == [(False, True), (True, False), (True, True)]
    assert any(f"\"$path\" > '{files[3]}') AND (\"$path\" <= '{files[7]}'" in q.sql for q in queries)
    scanned = [q.data_scanned_bytes for q in queries]  # Athena skips the files outside a query's range
    assert all(0 < s < sum(scanned) / 2 for s in scanned), scanned
    assert len([q for q in athena.queries if '"ice$files"' in q.sql]) == 1
    assert _blobs(run, "ice") == [
        {"resume_after_file": files[3], "table_version": snapshot},
        {"resume_after_file": files[7], "table_version": snapshot},
        {"__ab_full_refresh_sync_complete": True},
    ]


def test_a_small_iceberg_table_stays_one_query_without_listing_its_files(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice_small", stated=None)
    catalog = _catalog(athena, "ice_small")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted(r["id"] for r in run.rows("ice_small")) == list(range(FILES * 100))
    (query,) = read_queries(athena, "ice_small")
    assert '"$path"' not in query.sql and "FOR VERSION" not in query.sql
    assert not [q for q in athena.queries if "$files" in q.sql]
    assert _blobs(run, "ice_small") == [{"__ab_full_refresh_sync_complete": True}]


def test_a_resumed_iceberg_sync_reads_each_row_once_after_a_compaction(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice_resumed")
    snapshot = _current_snapshot(athena, "ice_resumed")
    catalog = _catalog(athena, "ice_resumed")
    first = _read(athena, catalog)
    done = _ids_until_state(first, "ice_resumed", 1)
    # Between the stop and the resume: a compaction moves every row into one new file, and new rows land.
    athena.compact_iceberg(DATABASE, "ice_resumed")
    athena.append_iceberg(DATABASE, "ice_resumed", _rows(FILES))
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("ice_resumed")[:1])
    again = [r["id"] for r in resumed.rows("ice_resumed")]
    assert Counter(done) + Counter(again) == Counter(range(FILES * 100)), "a row lost or read twice"
    assert all(f"FOR VERSION AS OF {snapshot}" in q.sql for q in read_queries(athena, "ice_resumed"))
    assert _blobs(resumed, "ice_resumed")[-1] == {"__ab_full_refresh_sync_complete": True}


def test_an_expired_pinned_snapshot_restarts_the_stream_with_a_log_line(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice_expired")
    catalog = _catalog(athena, "ice_expired")
    first = _read(athena, catalog)
    athena.append_iceberg(DATABASE, "ice_expired", _rows(FILES), stated_bytes=QUARTER)
    athena.expire_iceberg_snapshots(DATABASE, "ice_expired")
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("ice_expired")[:1])
    assert sorted(r["id"] for r in resumed.rows("ice_expired")) == list(range((FILES + 1) * 100))
    assert any("has expired" in log and "from the beginning" in log for log in resumed.logs), resumed.logs
    current = _current_snapshot(athena, "ice_expired")
    assert all(f"FOR VERSION AS OF {current}" in q.sql for q in read_queries(athena, "ice_expired"))


def test_an_incremental_iceberg_stream_bounds_every_range_by_its_cursor(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice_cursor")
    catalog = _catalog(athena, "ice_cursor", cursor="id")
    athena.reset_observations()
    first = _read(athena, catalog)
    assert sorted(r["id"] for r in first.rows("ice_cursor")) == list(range(FILES * 100))
    queries = read_queries(athena, "ice_cursor")
    assert len(queries) == 3 and all('("id" <= 1199 OR "id" IS NULL)' in q.sql for q in queries)
    states = _blobs(first, "ice_cursor")
    assert [s.get("pending_cursor") for s in states] == ["1199", "1199", None] and states[-1]["cursor"] == "1199"
    assert "table_version" not in states[-1]

    athena.append_iceberg(DATABASE, "ice_cursor", _rows(FILES), stated_bytes=QUARTER)
    athena.reset_observations()
    second = _read(athena, catalog, state=first.stream_states("ice_cursor")[-1:])
    assert sorted(r["id"] for r in second.rows("ice_cursor")) == [1199, *range(1200, 1300)]
    assert all('"id" >= 1199' in q.sql and '"id" <= 1299' in q.sql for q in read_queries(athena, "ice_cursor"))


# --- Delta ---------------------------------------------------------------------------------------------------
def test_a_big_delta_table_is_read_in_ranges_of_its_logs_files(athena: LocalAthena) -> None:
    _put_delta(athena, "delta")
    files = _files(athena, "delta")
    catalog = _catalog(athena, "delta")
    athena.reset_observations()
    run = _read(athena, catalog)
    rows = sorted((r["id"], r["grp"]) for r in run.rows("delta"))
    assert rows == [(i, f"g{i // 100 + 1:02d}") for i in range(FILES * 100)]
    queries = read_queries(athena, "delta")
    assert len(queries) == 3 and not any("FOR VERSION" in q.sql for q in queries)
    assert any(f"\"$path\" > '{files[3]}') AND (\"$path\" <= '{files[7]}'" in q.sql for q in queries)
    assert _blobs(run, "delta") == [
        {"resume_after_file": files[3], "table_version": str(FILES - 1)},
        {"resume_after_file": files[7], "table_version": str(FILES - 1)},
        {"__ab_full_refresh_sync_complete": True},
    ]


def test_an_incremental_delta_stream_bounds_every_range_by_its_cursor(athena: LocalAthena) -> None:
    _put_delta(athena, "delta_cursor")
    catalog = _catalog(athena, "delta_cursor", cursor="id")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted(r["id"] for r in run.rows("delta_cursor")) == list(range(FILES * 100))
    queries = read_queries(athena, "delta_cursor")
    assert len(queries) == 3 and all('("id" <= 1199 OR "id" IS NULL)' in q.sql for q in queries)
    states = _blobs(run, "delta_cursor")
    assert [s.get("pending_cursor") for s in states] == ["1199", "1199", None] and states[-1]["cursor"] == "1199"


def test_a_resumed_delta_sync_reads_files_appended_since_exactly_once(athena: LocalAthena) -> None:
    location = _put_delta(athena, "delta_appended")
    catalog = _catalog(athena, "delta_appended")
    first = _read(athena, catalog)
    done = _ids_until_state(first, "delta_appended", 1)
    # New files sorting before the resume point (partition g00) and after it (g13).
    late = pa.table({"id": pa.array([5000, 5001], pa.int64()), "note": ["a", "b"], "grp": ["g00", "g13"]})
    athena.commit_delta(location, late, ["grp"])
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("delta_appended")[:1])
    again = [r["id"] for r in resumed.rows("delta_appended")]
    assert Counter(done) + Counter(again) == Counter([*range(FILES * 100), 5000, 5001])
    assert sum('"$path" IN (' in q.sql and "grp=g00" in q.sql for q in read_queries(athena, "delta_appended")) == 1


def test_a_delta_resume_after_files_were_removed_restarts_the_stream(athena: LocalAthena) -> None:
    location = _put_delta(athena, "delta_rewritten")
    catalog = _catalog(athena, "delta_rewritten")
    first = _read(athena, catalog)
    athena.commit_delta(location, _grouped(0), ["grp"], overwrite=True)  # only ids 0..99 remain
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("delta_rewritten")[:1])
    assert sorted(r["id"] for r in resumed.rows("delta_rewritten")) == list(range(ROWS_PER_FILE))
    assert any("removed files" in log and "from the beginning" in log for log in resumed.logs), resumed.logs


def test_a_checkpointed_delta_table_is_read_in_ranges_after_log_cleanup(athena: LocalAthena) -> None:
    location = _put_delta(athena, "delta_cp")
    assert athena.checkpoint_delta(location, cleanup=True) == FILES - 1  # commits 0..11 deleted
    late = pa.table({"id": pa.array([5000], pa.int64()), "note": ["late"], "grp": ["g13"]})
    athena.commit_delta(location, late, ["grp"])
    catalog = _catalog(athena, "delta_cp")
    athena.reset_observations()
    run = _read(athena, catalog)
    assert sorted(r["id"] for r in run.rows("delta_cp")) == [*range(FILES * 100), 5000]
    assert len(read_queries(athena, "delta_cp")) == 4  # 3 full slices, and the late file
    assert [s.get("table_version") for s in _blobs(run, "delta_cp")] == [str(FILES)] * 3 + [None]


def test_a_delta_resume_across_a_checkpoint_reads_each_row_once(athena: LocalAthena) -> None:
    location = _put_delta(athena, "delta_cp_resumed")
    catalog = _catalog(athena, "delta_cp_resumed")
    first = _read(athena, catalog)
    done = _ids_until_state(first, "delta_cp_resumed", 1)
    late = pa.table({"id": pa.array([5000, 5001], pa.int64()), "note": ["a", "b"], "grp": ["g00", "g13"]})
    athena.commit_delta(location, late, ["grp"])
    athena.checkpoint_delta(location)  # the commits stay: what changed since the saved version is known
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("delta_cp_resumed")[:1])
    again = [r["id"] for r in resumed.rows("delta_cp_resumed")]
    assert Counter(done) + Counter(again) == Counter([*range(FILES * 100), 5000, 5001])


def test_a_delta_resume_after_log_cleanup_restarts_the_stream(athena: LocalAthena) -> None:
    location = _put_delta(athena, "delta_cleaned")
    catalog = _catalog(athena, "delta_cleaned")
    first = _read(athena, catalog)
    athena.commit_delta(location, _grouped(FILES), ["grp"])
    athena.checkpoint_delta(location, cleanup=True)  # the commits after the saved version are gone
    athena.reset_observations()
    resumed = _read(athena, catalog, state=first.stream_states("delta_cleaned")[:1])
    assert sorted(r["id"] for r in resumed.rows("delta_cleaned")) == list(range((FILES + 1) * 100))
    assert any("left the log" in log and "from the beginning" in log for log in resumed.logs), resumed.logs


def test_a_delta_log_with_a_v2_checkpoint_is_read_in_one_query_with_a_log_line(
    athena: LocalAthena, caplog: Any
) -> None:
    """V2 checkpoints are not read (delta_log.py): the planner gets no log, and says the table is read whole."""
    location = _put_delta(athena, "delta_v2")
    bucket, prefix = location[len("s3://") :].split("/", 1)
    pointer = b'{"version": 11, "size": 14, "v2Checkpoint": {"path": "x.checkpoint.u.json"}}'
    athena.client("s3").put_object(Bucket=bucket, Key=f"{prefix}_delta_log/_last_checkpoint", Body=pointer)
    table = TableInfo(DATABASE, "delta_v2", (), location=location)
    with caplog.at_level(logging.INFO):
        assert read_delta_log(athena.client("s3"), table, logging.getLogger("airbyte")) is None
    assert any("V2 checkpoint" in r.message and "one query" in r.message for r in caplog.records)


def test_a_gzip_iceberg_metadata_file_is_read_like_a_plain_one(athena: LocalAthena) -> None:
    _put_iceberg(athena, "ice_gz", stated=None)
    glue = athena.client("glue").get_table(DatabaseName=DATABASE, Name="ice_gz")["Table"]
    bucket, key = glue["Parameters"]["metadata_location"][len("s3://") :].split("/", 1)
    s3 = athena.client("s3")
    s3.put_object(
        Bucket=bucket, Key=key + ".gz", Body=gzip.compress(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    )
    gz = f"s3://{bucket}/{key}.gz"
    metadata = read_metadata(
        s3, TableInfo(DATABASE, "ice_gz", (), parameters={"metadata_location": gz}), logging.getLogger()
    )
    assert metadata is not None and current_snapshot(metadata) == _current_snapshot(athena, "ice_gz")


# --- IAM -----------------------------------------------------------------------------------------------------
def test_the_guides_scope_a_policy_suffices_for_iceberg_and_delta_slices(iam_athena: LocalAthena) -> None:
    """The metadata file, the `$files` query and the Delta log are read with the user's key under Scope A."""
    athena = iam_athena
    _put_iceberg(athena, "ice_iam")
    _put_delta(athena, "delta_iam")
    catalog = configured_catalog(discover_catalog(athena, [DATABASE]), streams=["ice_iam", "delta_iam"])
    with athena.iam.enforce(SCOPE_A) as keys:
        read = run_connector("read", athena.env(), config=iam_config(keys, databases=[DATABASE]), catalog=catalog)
    assert read.returncode == 0 and not read.errors, texts(read)
    assert not denied() and not [line for line in read.logs if "could not read" in line], read.logs
    for table in ("ice_iam", "delta_iam"):
        assert sorted(r["id"] for r in read.rows(table)) == list(range(FILES * 100)), table
        assert len(_blobs(read, table)) == 3, table


def test_a_multi_part_delta_checkpoint_is_read_part_by_part(athena: LocalAthena) -> None:
    """The connector reads `parts` checkpoint files (`<v>.checkpoint.<i>.<n>.parquet`); the stand-in models only
    single-file ones, so this reads the log directly."""
    location = _put_delta(athena, "delta_parts")
    bucket, prefix = location[len("s3://") :].split("/", 1)
    s3 = athena.client("s3")
    log = read_delta_log(s3, TableInfo(DATABASE, "delta_parts", (), location=location), logging.getLogger())
    assert log is not None
    halves = [log.files()[:5], log.files()[5:]]
    for part, files in enumerate(halves, start=1):
        adds = [{"path": uri[len(location) :], "size": size} for uri, size in files]
        sink = pa.BufferOutputStream()
        pq.write_table(pa.table({"add": adds}), sink)
        key = f"{prefix}_delta_log/{FILES - 1:020d}.checkpoint.{part:010d}.{2:010d}.parquet"
        s3.put_object(Bucket=bucket, Key=key, Body=sink.getvalue().to_pybytes())
    s3.put_object(Bucket=bucket, Key=f"{prefix}_delta_log/_last_checkpoint", Body=b'{"version": 11, "parts": 2}')
    for version in range(FILES):  # log cleanup: only the checkpoint remains
        s3.delete_object(Bucket=bucket, Key=f"{prefix}_delta_log/{version:020d}.json")
    again = read_delta_log(s3, TableInfo(DATABASE, "delta_parts", (), location=location), logging.getLogger())
    assert again is not None and again.files() == log.files() and again.version == FILES - 1
