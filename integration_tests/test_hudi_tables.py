"""Hudi tables through the command line, as Hudi's Glue sync registers them and Athena reads them: exact rows
(never a stale version of an updated record), incremental on a cursor, partitioned slices, and the merge-on-read
real-time table Athena cannot read left out at discover with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from integration_tests.claim_runs import discover, last_states, read_ok
from integration_tests.connector import configured_catalog, run_discover
from local_athena import LocalAthena
from source_skoot_athena.slicing import SLICE_TARGET_BYTES

DB = "lake_hudi"


def _people(ids: list[int], names: list[str], regions: list[str]) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64()), "name": names, "region": regions})


def _data(run: Any, stream: str) -> list[tuple[int, str, str]]:
    return sorted((r["id"], r["name"], r["region"]) for r in run.rows(stream))


def test_a_partitioned_copy_on_write_table_reads_the_latest_version_of_each_record(
    athena_sandbox: LocalAthena,
) -> None:
    athena_sandbox.put_hudi_table(
        DB,
        "people",
        _people([1, 2, 3], ["a", "b", "c"], ["eu", "us", "eu"]),
        record_key="id",
        partition_keys=["region"],
    )
    athena_sandbox.commit_hudi(DB, "people", _people([1, 4], ["A", "d"], ["eu", "ap"]), delete_keys=[2])
    catalog = discover(athena_sandbox, DB)
    (stream,) = catalog["streams"]
    assert {"_hoodie_commit_time", "_hoodie_record_key", "id", "name", "region"} <= set(
        stream["json_schema"]["properties"]
    )
    run = read_ok(athena_sandbox, configured_catalog(catalog), DB)
    # Every partition Glue lists (the sync registered `ap`), one version of each record, the deleted one gone.
    assert _data(run, "people") == [(1, "A", "eu"), (3, "c", "eu"), (4, "d", "ap")]
    assert run.statuses("people")[-1] == "COMPLETE"
    assert athena_sandbox.calls["glue:GetPartitions"] > 0


def test_incremental_on_the_commit_time_reads_each_commits_records_once_at_their_latest(
    athena_sandbox: LocalAthena,
) -> None:
    athena_sandbox.put_hudi_table(DB, "people", _people([1, 2, 3], ["a", "b", "c"], ["eu"] * 3), record_key="id")
    second = athena_sandbox.commit_hudi(DB, "people", _people([4], ["d"], ["eu"]))
    catalog = configured_catalog(
        discover(athena_sandbox, DB), sync_mode="incremental", cursor={"people": "_hoodie_commit_time"}
    )
    first = read_ok(athena_sandbox, catalog, DB)
    assert _data(first, "people") == [(1, "a", "eu"), (2, "b", "eu"), (3, "c", "eu"), (4, "d", "eu")]
    (state,) = last_states(first)
    assert state["stream"]["stream_state"]["cursor"] == second
    athena_sandbox.commit_hudi(DB, "people", _people([2, 5], ["B", "e"], ["eu", "eu"]))
    later = read_ok(athena_sandbox, catalog, DB, state=last_states(first))
    # cursor >= the saved instant: the saved commit's record again (inclusive), the update and the insert; the
    # file version holding the old "b" is still in S3 and never read.
    assert _data(later, "people") == [(2, "B", "eu"), (4, "d", "eu"), (5, "e", "eu")]


def test_a_partition_key_cursor_reads_only_newer_partitions(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_hudi_table(
        DB,
        "people",
        _people([1, 2], ["a", "b"], ["2024-01-01", "2024-01-02"]),
        record_key="id",
        partition_keys=["region"],
    )
    catalog = configured_catalog(discover(athena_sandbox, DB), sync_mode="incremental", cursor={"people": "region"})
    first = read_ok(athena_sandbox, catalog, DB)
    assert _data(first, "people") == [(1, "a", "2024-01-01"), (2, "b", "2024-01-02")]
    athena_sandbox.commit_hudi(DB, "people", _people([3, 4], ["c", "d"], ["2024-01-03", "2024-01-04"]))
    later = read_ok(athena_sandbox, catalog, DB, state=last_states(first))
    assert _data(later, "people") == [(3, "c", "2024-01-03"), (4, "d", "2024-01-04")]


def test_an_unpartitioned_hudi_table_known_only_by_its_input_format_is_never_sliced_by_files(
    athena_sandbox: LocalAthena,
) -> None:
    # Synced without the Spark data-source properties (as Athena's own Hudi DDL registers it too): the input
    # format is the only Hudi mark. Glue's totalSize says several slices, which would slice a Hive table by its
    # files; a Hudi location holds stale file versions and .hoodie/ metadata, so it is read in one query.
    athena_sandbox.put_hudi_table(
        DB, "people", _people([1, 2], ["a", "b"], ["eu", "eu"]), record_key="id", sync_as_datasource=False
    )
    athena_sandbox.commit_hudi(DB, "people", _people([2, 3], ["B", "c"], ["eu", "eu"]))
    glue = athena_sandbox.client("glue")
    table = glue.get_table(DatabaseName=DB, Name="people")["Table"]
    assert "spark.sql.sources.provider" not in table["Parameters"]
    keep = ("Name", "TableType", "PartitionKeys", "StorageDescriptor")
    parameters = {**table["Parameters"], "totalSize": str(SLICE_TARGET_BYTES * 3)}
    glue.update_table(DatabaseName=DB, TableInput={**{k: table[k] for k in keep}, "Parameters": parameters})
    run = read_ok(athena_sandbox, configured_catalog(discover(athena_sandbox, DB)), DB)
    assert _data(run, "people") == [(1, "a", "eu"), (2, "B", "eu"), (3, "c", "eu")]
    reads = [q.sql for q in athena_sandbox.queries if '"people"' in q.sql]
    assert reads and not any('"$path"' in sql for sql in reads)


def _mor_events(athena: LocalAthena, table: str, *, with_timestamp: bool) -> None:
    columns: dict[str, pa.Array] = {"id": pa.array([1, 2], pa.int64()), "name": pa.array(["a", "b"])}
    if with_timestamp:
        columns["seen"] = pa.array([dt.datetime(2024, 1, 1, 12), dt.datetime(2024, 1, 2, 13)], pa.timestamp("us"))
    athena.put_hudi_table(DB, table, pa.table(columns), record_key="id", table_type="MERGE_ON_READ")


def test_a_real_time_table_with_timestamps_is_left_out_with_the_reason_and_ro_is_read(
    athena_sandbox: LocalAthena,
) -> None:
    _mor_events(athena_sandbox, "events", with_timestamp=True)
    _mor_events(athena_sandbox, "plain", with_timestamp=False)
    run = run_discover(athena_sandbox, databases=[DB])
    (message,) = run.of_type("CATALOG")
    names = sorted(s["name"] for s in message["catalog"]["streams"])
    assert names == ["events_ro", "plain_ro", "plain_rt"]
    assert any("events_rt" in log and "timestamp columns (seen)" in log and "_ro" in log for log in run.logs)
    read = read_ok(athena_sandbox, configured_catalog(message["catalog"]), DB)
    assert sorted((r["id"], r["name"], r["seen"]) for r in read.rows("events_ro")) == [
        (1, "a", "2024-01-01T12:00:00.000"),
        (2, "b", "2024-01-02T13:00:00.000"),
    ]
    for stream in ("plain_ro", "plain_rt"):
        assert sorted((r["id"], r["name"]) for r in read.rows(stream)) == [(1, "a"), (2, "b")]
