"""The stand-in's Hudi tables (local_athena/hudi_tables.py, hudi_writer.py): Glue as Hudi's hive-sync leaves it,
and Athena reading only the latest committed file slice of each file group."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from local_athena import LocalAthena, moto_state
from local_athena.hudi_tables import REALTIME_TIMESTAMP_ERROR
from local_athena.testing import all_rows, run

DB = "la_hudi"


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def _failure(athena: LocalAthena, sql: str) -> str:
    qe = run(athena.client("athena"), sql)
    assert qe["Status"]["State"] == "FAILED", qe["Status"]
    return str(qe["Status"]["StateChangeReason"])


def _people(ids: list[int], names: list[str], regions: list[str]) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64()), "name": names, "region": regions})


def _objects(location: str) -> list[str]:
    bucket, prefix = moto_state.split_s3_url(location)
    return [f.key[len(prefix) :] for f in moto_state.list_objects(bucket, prefix)]


def test_glue_holds_a_hudi_table_as_hive_sync_leaves_it(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_hudi_table(
        DB, "people", _people([1], ["a"], ["eu"]), record_key="id", partition_keys=["region"], sync_as_datasource=False
    )
    glue = athena_sandbox.client("glue")
    table = glue.get_table(DatabaseName=DB, Name="people")["Table"]
    sd = table["StorageDescriptor"]
    assert table["TableType"] == "EXTERNAL_TABLE" and "table_type" not in table["Parameters"]
    assert sd["InputFormat"] == "org.apache.hudi.hadoop.HoodieParquetInputFormat"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert sd["SerdeInfo"]["Parameters"]["hoodie.query.as.ro.table"] == "true"
    assert [c["Name"] for c in sd["Columns"]] == [
        "_hoodie_commit_time",
        "_hoodie_commit_seqno",
        "_hoodie_record_key",
        "_hoodie_partition_path",
        "_hoodie_file_name",
        "id",
        "name",
    ]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["region"]
    (partition,) = glue.get_partitions(DatabaseName=DB, TableName="people")["Partitions"]
    assert partition["Values"] == ["eu"] and partition["StorageDescriptor"]["Location"].endswith("/people/eu")
    objects = _objects(sd["Location"])
    assert ".hoodie/hoodie.properties" in objects and "eu/.hoodie_partition_metadata" in objects
    assert table["Parameters"]["last_commit_time_sync"] + ".commit" in [o.split("/")[-1] for o in objects]


def test_an_upsert_reads_only_the_latest_file_slice_though_the_old_one_stays(athena_sandbox: LocalAthena) -> None:
    first = athena_sandbox.put_hudi_table(
        DB,
        "people",
        _people([1, 2, 3], ["a", "b", "c"], ["eu", "us", "eu"]),
        record_key="id",
        partition_keys=["region"],
    )
    second = athena_sandbox.commit_hudi(DB, "people", _people([2, 4], ["B", "d"], ["us", "us"]))
    assert _rows(athena_sandbox, f"SELECT id, name, region, _hoodie_commit_time FROM {DB}.people ORDER BY id") == [
        ["1", "a", "eu", first],
        ["2", "B", "us", second],
        ["3", "c", "eu", first],
        ["4", "d", "us", second],
    ]
    us_files = [o for o in _objects(f"s3://skoot-data-demo/{DB}/people/") if o.startswith("us/") and "parquet" in o]
    assert len(us_files) == 3  # the old version of the updated file group is still in S3


def test_a_delete_writes_a_file_version_without_the_key(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_hudi_table(DB, "people", _people([1, 2], ["a", "b"], ["eu", "eu"]), record_key="id")
    athena_sandbox.commit_hudi(DB, "people", _people([], [], []), delete_keys=[1])
    assert _rows(athena_sandbox, f"SELECT id, name, region FROM {DB}.people") == [["2", "b", "eu"]]


def test_files_of_an_inflight_instant_are_not_read(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_hudi_table(DB, "people", _people([1], ["a"], ["eu"]), record_key="id")
    athena_sandbox.commit_hudi(DB, "people", _people([1, 2], ["A", "b"], ["eu", "eu"]), complete=False)
    assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.people") == [["1", "a"]]


def test_an_instant_archived_before_the_active_timeline_still_counts(athena_sandbox: LocalAthena) -> None:
    first = athena_sandbox.put_hudi_table(DB, "people", _people([1], ["a"], ["eu"]), record_key="id")
    athena_sandbox.commit_hudi(DB, "people", _people([2], ["b"], ["eu"]))
    bucket, prefix = moto_state.split_s3_url(f"s3://skoot-data-demo/{DB}/people/.hoodie/")
    for f in moto_state.list_objects(bucket, prefix + first):  # the archiver moved the first instant away
        moto_state.s3_backend().delete_object(bucket, f.key)
    assert _rows(athena_sandbox, f"SELECT id FROM {DB}.people ORDER BY id") == [["1"], ["2"]]


def test_a_replacecommit_is_not_modelled(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_hudi_table(DB, "people", _people([1], ["a"], ["eu"]), record_key="id")
    bucket, prefix = moto_state.split_s3_url(f"s3://skoot-data-demo/{DB}/people/.hoodie/")
    moto_state.put_object(bucket, f"{prefix}29990101000000000.replacecommit", b"{}")
    assert _failure(athena_sandbox, f"SELECT id FROM {DB}.people").startswith("NOT_SUPPORTED: Hudi replacecommit")


def _mor(athena: LocalAthena) -> None:
    data = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "name": ["a", "b"],
            "seen": pa.array([dt.datetime(2024, 1, 1, 12), dt.datetime(2024, 1, 2, 13)], pa.timestamp("us")),
        }
    )
    athena.put_hudi_table(DB, "events", data, record_key="id", table_type="MERGE_ON_READ")


def test_merge_on_read_is_synced_as_ro_and_rt_tables(athena_sandbox: LocalAthena) -> None:
    _mor(athena_sandbox)
    glue = athena_sandbox.client("glue")
    names = sorted(t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"])
    assert names == ["events_ro", "events_rt"]
    rt = glue.get_table(DatabaseName=DB, Name="events_rt")["Table"]["StorageDescriptor"]
    assert rt["InputFormat"] == "org.apache.hudi.hadoop.realtime.HoodieParquetRealtimeInputFormat"
    assert rt["SerdeInfo"]["Parameters"]["hoodie.query.as.ro.table"] == "false"
    assert any(o.endswith(".deltacommit") for o in _objects(rt["Location"]))
    expected = [["1", "a", "2024-01-01 12:00:00.000"], ["2", "b", "2024-01-02 13:00:00.000"]]
    assert _rows(athena_sandbox, f"SELECT id, name, seen FROM {DB}.events_ro ORDER BY id") == expected


def test_a_real_time_table_fails_on_a_timestamp_column_only(athena_sandbox: LocalAthena) -> None:
    _mor(athena_sandbox)
    assert _failure(athena_sandbox, f"SELECT id, seen FROM {DB}.events_rt") == (
        f"GENERIC_INTERNAL_ERROR: {REALTIME_TIMESTAMP_ERROR}"
    )
    assert _failure(athena_sandbox, f"SELECT * FROM {DB}.events_rt").startswith("GENERIC_INTERNAL_ERROR")
    assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.events_rt ORDER BY id") == [["1", "a"], ["2", "b"]]


def test_a_real_time_read_that_needs_log_files_is_not_modelled(athena_sandbox: LocalAthena) -> None:
    _mor(athena_sandbox)
    location = f"s3://skoot-data-demo/{DB}/events/"
    (base,) = [o for o in _objects(location) if o.endswith(".parquet")]
    file_id, instant = base.split("_")[0], base.rsplit("_", 1)[1].removesuffix(".parquet")
    bucket, prefix = moto_state.split_s3_url(location)
    moto_state.put_object(bucket, f"{prefix}.{file_id}_{instant}.log.1_0-1-0", b"#HUDI#")
    assert _failure(athena_sandbox, f"SELECT id FROM {DB}.events_rt").startswith("NOT_SUPPORTED: merging Hudi log")
    # The read-optimized table reads base files only: log files are not compacted data.
    assert _rows(athena_sandbox, f"SELECT id FROM {DB}.events_ro ORDER BY id") == [["1"], ["2"]]


def test_a_table_marked_hudi_without_hudis_input_format_is_still_refused(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "marked", pa.table({"id": [1]}), parameters={"table_type": "HUDI"})
    assert _failure(athena_sandbox, f"SELECT id FROM {DB}.marked").startswith("NOT_SUPPORTED: HUDI table")
