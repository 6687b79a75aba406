"""The stand-in's Iceberg `"t$files"`, version travel (`FOR VERSION AS OF`) and `"$path"` on Iceberg and Delta
tables (local_athena/iceberg_metadata_tables.py, iceberg_tables.py, iceberg_commits.py, path_column.py)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from local_athena import LocalAthena, moto_state
from local_athena.testing import all_rows, run

DB = "la_versions"


def _ids(ids: range) -> pa.Table:
    return pa.table({"id": pa.array(list(ids), pa.int64())})


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def _failure(athena: LocalAthena, sql: str) -> str:
    qe = run(athena.client("athena"), sql)
    assert qe["Status"]["State"] == "FAILED"
    return str(qe["Status"]["StateChangeReason"])


def _metadata(athena: LocalAthena, table: str) -> dict[str, object]:
    location = athena.client("glue").get_table(DatabaseName=DB, Name=table)["Table"]["Parameters"]["metadata_location"]
    bucket, key = moto_state.split_s3_url(location)
    metadata: dict[str, object] = json.loads(athena.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    return metadata


@pytest.fixture
def ice(athena_sandbox: LocalAthena) -> LocalAthena:
    athena_sandbox.put_iceberg_table(DB, "ice", _ids(range(0, 3)))
    athena_sandbox.append_iceberg(DB, "ice", _ids(range(3, 5)))
    return athena_sandbox


def test_files_lists_the_current_snapshots_data_files(ice: LocalAthena) -> None:
    rows = _rows(ice, f'SELECT content, file_path, file_format, record_count, file_size_in_bytes FROM {DB}."ice$files"')
    assert (
        sorted(str(r[3]) for r in rows) == ["2", "3"]
        and {r[0] for r in rows} == {"0"}
        and {r[2] for r in rows} == {"PARQUET"}
    )
    assert all(str(r[1]).startswith(f"s3://skoot-data-demo/{DB}/ice/data/") for r in rows)
    summary = _metadata(ice, "ice")["snapshots"][-1]["summary"]  # type: ignore[index]
    assert summary["total-files-size"] == str(sum(int(str(r[4])) for r in rows))
    assert summary["total-records"] == "5"


def test_files_of_a_table_that_is_not_iceberg_is_not_found(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "hive", _ids(range(2)))
    reason = _failure(athena_sandbox, f'SELECT * FROM {DB}."hive$files"')
    assert reason == f"TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.{DB}.hive$files' does not exist"


def test_version_as_of_reads_that_snapshot_even_after_compaction(ice: LocalAthena) -> None:
    first = _metadata(ice, "ice")["current-snapshot-id"]
    ice.compact_iceberg(DB, "ice")
    ice.append_iceberg(DB, "ice", _ids(range(5, 6)))
    assert len(_rows(ice, f'SELECT file_path FROM {DB}."ice$files"')) == 2  # the compacted file and the new one
    assert _rows(ice, f"SELECT id FROM {DB}.ice FOR VERSION AS OF {first} ORDER BY id") == [[str(i)] for i in range(5)]
    assert _rows(ice, f"SELECT count(*) FROM {DB}.ice") == [["6"]]


def test_an_expired_snapshot_fails_as_trino_says(ice: LocalAthena) -> None:
    first = _metadata(ice, "ice")["current-snapshot-id"]
    ice.append_iceberg(DB, "ice", _ids(range(5, 6)))
    ice.expire_iceberg_snapshots(DB, "ice")
    reason = _failure(ice, f"SELECT id FROM {DB}.ice FOR VERSION AS OF {first}")
    assert reason == f"INVALID_ARGUMENTS: Iceberg snapshot ID does not exists: {first}"


def test_version_travel_on_a_hive_or_delta_table_is_not_supported(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "hive", _ids(range(2)))
    athena_sandbox.put_delta_table(DB, "delta", _ids(range(2)))
    for table in ("hive", "delta"):
        reason = _failure(athena_sandbox, f"SELECT id FROM {DB}.{table} FOR VERSION AS OF 1")
        assert reason == "NOT_SUPPORTED: This connector does not support versioned tables"


def test_path_on_iceberg_names_and_prunes_files(ice: LocalAthena) -> None:
    files = sorted(str(r[0]) for r in _rows(ice, f'SELECT file_path FROM {DB}."ice$files"'))
    by_file = _rows(ice, f'SELECT "$path", count(*) FROM {DB}.ice GROUP BY 1 ORDER BY 1')
    assert [r[0] for r in by_file] == files
    client = ice.client("athena")
    whole = run(client, f"SELECT id FROM {DB}.ice")
    ranged = run(client, f"SELECT id FROM {DB}.ice WHERE \"$path\" > '{files[0]}' AND \"$path\" <= '{files[1]}'")
    assert len(all_rows(client, ranged["QueryExecutionId"])[1:]) == int(
        str({str(r[0]): r[1] for r in by_file}[files[1]])
    )
    # Athena skips the files a "$path" predicate excludes: the range reads one file of two.
    scanned = [q["Statistics"]["DataScannedInBytes"] for q in (whole, ranged)]
    assert 0 < scanned[1] < scanned[0], scanned


def test_path_on_delta_prunes_the_logs_files(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(DB, "delta", _ids(range(3)))
    athena_sandbox.commit_delta(location, _ids(range(3, 5)), [])
    files = [str(r[0]) for r in _rows(athena_sandbox, f'SELECT DISTINCT "$path" FROM {DB}.delta ORDER BY 1')]
    assert len(files) == 2 and all(f.startswith(location) for f in files)
    rows = _rows(athena_sandbox, f"SELECT id FROM {DB}.delta WHERE \"$path\" > '{files[0]}' ORDER BY id")
    assert len(rows) in (2, 3) and len(rows) < 5


def test_delta_is_read_through_its_checkpoint_after_log_cleanup(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(DB, "delta_cp", _ids(range(3)))
    athena_sandbox.commit_delta(location, _ids(range(3, 5)), [])
    athena_sandbox.commit_delta(location, _ids(range(5, 6)), [], overwrite=True)
    assert athena_sandbox.checkpoint_delta(location, cleanup=True) == 2
    athena_sandbox.commit_delta(location, _ids(range(6, 8)), [])
    bucket, prefix = moto_state.split_s3_url(location)
    names = {f.key.rsplit("/", 1)[-1] for f in moto_state.list_objects(bucket, prefix + "_delta_log/")}
    assert names == {"_last_checkpoint", f"{2:020d}.checkpoint.parquet", f"{3:020d}.json"}
    assert _rows(athena_sandbox, f"SELECT id FROM {DB}.delta_cp ORDER BY id") == [["5"], ["6"], ["7"]]


def test_a_multi_part_delta_checkpoint_is_not_modelled(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(DB, "delta_parts", _ids(range(3)))
    bucket, prefix = moto_state.split_s3_url(location)
    moto_state.put_object(bucket, f"{prefix}_delta_log/_last_checkpoint", b'{"version": 0, "size": 3, "parts": 2}')
    assert _failure(athena_sandbox, f"SELECT id FROM {DB}.delta_parts").startswith("NOT_SUPPORTED: ")
