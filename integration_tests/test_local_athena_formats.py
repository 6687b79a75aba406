"""The stand-in's table formats (local_athena/delta_tables.py …): Glue as AWS keeps each kind, and what Athena
reads of it."""

from __future__ import annotations

import datetime as dt

import botocore.exceptions
import pyarrow as pa
import pytest

from local_athena import LocalAthena, moto_state
from local_athena.glue_expressions import RESERVED_WORDS
from local_athena.projection_dates import date_values
from local_athena.testing import all_rows, run
from source_skoot_athena.partitions import GLUE_EXPRESSION_RESERVED_WORDS

DB = "la_formats"


def _events(ids: list[int], days: list[str]) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": [f"e{i}" for i in ids],
            "day": pa.array([dt.date.fromisoformat(d) for d in days], pa.date32()),
        }
    )


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def test_delta_glue_holds_partition_keys_but_no_partitions(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_delta_table(DB, "events", _events([1, 2], ["2024-01-01", "2024-01-02"]), partition_keys=["day"])
    glue = athena_sandbox.client("glue")
    table = glue.get_table(DatabaseName=DB, Name="events")["Table"]
    assert table["Parameters"]["table_type"] == "DELTA"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["day"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name"]
    assert glue.get_partitions(DatabaseName=DB, TableName="events")["Partitions"] == []


def test_delta_is_read_from_its_log_with_partition_values_and_pruning(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_delta_table(
        DB, "events", _events([1, 2, 3], ["2024-01-01", "2024-01-02", "2024-01-02"]), partition_keys=["day"]
    )
    assert _rows(athena_sandbox, f"SELECT id, name, day FROM {DB}.events ORDER BY id") == [
        ["1", "e1", "2024-01-01"],
        ["2", "e2", "2024-01-02"],
        ["3", "e3", "2024-01-02"],
    ]
    client = athena_sandbox.client("athena")
    qe = run(client, f"SELECT id FROM {DB}.events WHERE day = date '2024-01-01'")
    assert all_rows(client, qe["QueryExecutionId"])[1:] == [["1"]]
    (record,) = [q for q in athena_sandbox.queries if q.query_execution_id == qe["QueryExecutionId"]]
    assert 0 < record.data_scanned_bytes < _scanned_all(athena_sandbox)


def _scanned_all(athena: LocalAthena) -> int:
    client = athena.client("athena")
    qe = run(client, f"SELECT id FROM {DB}.events")
    return int(qe["Statistics"]["DataScannedInBytes"])


def test_delta_files_a_commit_removed_are_not_read_though_still_in_s3(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(DB, "events", _events([1, 2], ["2024-01-01", "2024-01-02"]))
    athena_sandbox.commit_delta(location, _events([3], ["2024-01-03"]))
    assert _rows(athena_sandbox, f"SELECT id FROM {DB}.events ORDER BY id") == [["1"], ["2"], ["3"]]
    athena_sandbox.commit_delta(location, _events([7], ["2024-02-01"]), overwrite=True)
    bucket, prefix = moto_state.split_s3_url(location)
    parquet = [f for f in moto_state.list_objects(bucket, prefix) if f.key.endswith(".parquet")]
    assert len(parquet) == 3  # Delta never deletes data files on a commit (VACUUM does)
    assert _rows(athena_sandbox, f"SELECT id, day FROM {DB}.events") == [["7", "2024-02-01"]]


def test_a_null_partition_value_in_the_log_reads_as_null(athena_sandbox: LocalAthena) -> None:
    data = pa.table({"id": pa.array([1, 2], pa.int64()), "region": pa.array(["eu", None], pa.string())})
    athena_sandbox.put_delta_table(DB, "by_region", data, partition_keys=["region"])
    assert _rows(athena_sandbox, f"SELECT id, region FROM {DB}.by_region ORDER BY id") == [["1", "eu"], ["2", None]]


def test_delta_log_without_metadata_fails_as_athena_does(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(DB, "broken", _events([1], ["2024-01-01"]))
    bucket, prefix = moto_state.split_s3_url(location)
    moto_state.put_object(bucket, f"{prefix}_delta_log/00000000000000000000.json", b"")
    client = athena_sandbox.client("athena")
    qe = run(client, f"SELECT * FROM {DB}.broken")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"].startswith(
        f"DELTA_LAKE_INVALID_SCHEMA: Metadata not found in transaction log for {DB}.broken"
    )


def test_spark_placeholder_registration_as_glue_keeps_it(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(
        DB, "spark_events", _events([1], ["2024-01-01"]), partition_keys=["day"], spark_placeholder=True
    )
    table = athena_sandbox.client("glue").get_table(DatabaseName=DB, Name="spark_events")["Table"]
    assert table["Parameters"]["spark.sql.sources.provider"] == "delta"
    assert "table_type" not in table["Parameters"]
    assert table["StorageDescriptor"]["Columns"] == [
        {"Name": "col", "Type": "array<string>", "Comment": "from deserializer"}
    ]
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"]["path"] == location
    qe = run(athena_sandbox.client("athena"), f"SELECT * FROM {DB}.spark_events")
    assert qe["Status"]["State"] == "FAILED"  # Athena would read the log's schema: not modelled, never `col`
    assert "placeholder" in qe["Status"]["StateChangeReason"]


# --- Iceberg ------------------------------------------------------------------------------------------------
UTC = dt.UTC


def _iceberg_data() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "ts": pa.array([dt.datetime(2024, 1, 1, 12, 0, 0, 123456, UTC), None], pa.timestamp("us", tz="UTC")),
            "local_ts": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5, 6), None], pa.timestamp("us")),
            "at": pa.array([dt.time(12, 30, 1, 5), None], pa.time64("us")),
            "ref": ["0f8fad5b-d9cb-469f-a165-70867728950e", None],
        }
    )


@pytest.fixture
def iceberg(athena_sandbox: LocalAthena) -> LocalAthena:
    athena_sandbox.put_iceberg_table(DB, "ice", _iceberg_data(), types={"ref": "uuid"}, dropped={"old_col": "string"})
    return athena_sandbox


def test_iceberg_glue_columns_as_the_writers_keep_them(iceberg: LocalAthena) -> None:
    table = iceberg.client("glue").get_table(DatabaseName=DB, Name="ice")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Parameters"]["metadata_location"].endswith(".metadata.json")
    assert table.get("PartitionKeys", []) == []
    columns = {
        c["Name"]: (c["Type"], c["Parameters"]["iceberg.field.current"]) for c in table["StorageDescriptor"]["Columns"]
    }
    assert columns == {
        "id": ("bigint", "true"),
        "ts": ("timestamp", "true"),  # timestamptz
        "local_ts": ("timestamp", "true"),
        "at": ("string", "true"),  # time
        "ref": ("string", "true"),  # uuid
        "old_col": ("string", "false"),  # an earlier schema's column
    }


def test_iceberg_reads_the_current_schema_with_athenas_types(iceberg: LocalAthena) -> None:
    rows = _rows(
        iceberg,
        f"SELECT id, to_iso8601(ts), CAST(ts AS timestamp(6)), local_ts, CAST(at AS varchar), CAST(ref AS varchar) "
        f"FROM {DB}.ice ORDER BY id",
    )
    # timestamptz is zoned (to_iso8601 works on it), time and uuid are their own types (CAST to varchar gives
    # their text). The result CSV renders timestamps with ms (the stand-in's rendering, README "Result files").
    assert rows[0] == [
        "1",
        "2024-01-01T12:00:00.123Z",
        "2024-01-01 12:00:00.123",
        "2024-01-02 03:04:05.000",
        "12:30:01.000005",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
    ]
    assert rows[1][1:] == [None, None, None, None, None]


def test_iceberg_column_of_an_earlier_schema_is_not_found(iceberg: LocalAthena) -> None:
    qe = run(iceberg.client("athena"), f"SELECT old_col FROM {DB}.ice")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"].startswith("COLUMN_NOT_FOUND: ")


@pytest.mark.parametrize(("column", "name"), [("ts", "timestamp(6) with time zone"), ("at", "time")])
def test_unload_refuses_what_the_hive_writer_cannot_write(iceberg: LocalAthena, column: str, name: str) -> None:
    sql = f"UNLOAD (SELECT {column} FROM {DB}.ice) TO 's3://skoot-athena-results/u-{column}/' WITH (format = 'PARQUET')"
    qe = run(iceberg.client("athena"), sql)
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"] == f"NOT_SUPPORTED: Unsupported Hive type: {name}"


def test_iceberg_append_moves_metadata_location_and_adds_rows(iceberg: LocalAthena) -> None:
    glue = iceberg.client("glue")
    before = glue.get_table(DatabaseName=DB, Name="ice")["Table"]["Parameters"]["metadata_location"]
    iceberg.append_iceberg(DB, "ice", _iceberg_data().slice(0, 1).set_column(0, "id", pa.array([3], pa.int64())))
    parameters = glue.get_table(DatabaseName=DB, Name="ice")["Table"]["Parameters"]
    assert parameters["previous_metadata_location"] == before != parameters["metadata_location"]
    assert _rows(iceberg, f"SELECT id FROM {DB}.ice ORDER BY id") == [["1"], ["2"], ["3"]]


def test_iceberg_without_metadata_location_fails(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "no_meta", pa.table({"id": [1]}), parameters={"table_type": "ICEBERG"})
    qe = run(athena_sandbox.client("athena"), f"SELECT id FROM {DB}.no_meta")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"].startswith("ICEBERG_INVALID_METADATA: ")


# --- views and injected projection --------------------------------------------------------------------------
def _hive_view(athena: LocalAthena, name: str) -> None:
    """A view as Spark registers it: HiveQL text, no `/* Presto View` encoding."""
    athena.client("glue").create_table(
        DatabaseName=DB,
        TableInput={
            "Name": name,
            "TableType": "VIRTUAL_VIEW",
            "ViewOriginalText": f"SELECT id FROM {DB}.base",
            "ViewExpandedText": f"SELECT `base`.`id` FROM `{DB}`.`base`",
            "Parameters": {"spark.sql.create.version": "3.5.0"},
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
        },
    )


def test_a_spark_view_is_not_run(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "base", pa.table({"id": pa.array([1], pa.int64())}))
    _hive_view(athena_sandbox, "spark_view")
    qe = run(athena_sandbox.client("athena"), f"SELECT id FROM {DB}.spark_view")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"] == f"NOT_SUPPORTED: Hive views are not supported: '{DB}.spark_view'"


def _injected(athena: LocalAthena) -> None:
    data = pa.table({"id": pa.array([1, 2], pa.int64()), "device": ["a", "b"]})
    athena.put_table(
        DB,
        "devices",
        data,
        partition_keys=["device"],
        parameters={"projection.enabled": "true", "projection.device.type": "injected"},
    )


def test_injected_projection_refuses_a_query_that_does_not_pin_the_key(athena_sandbox: LocalAthena) -> None:
    _injected(athena_sandbox)
    client = athena_sandbox.client("athena")
    for where in ("", " WHERE device > 'a'", " WHERE id = 1"):
        qe = run(client, f"SELECT id FROM {DB}.devices{where}")
        assert qe["Status"]["State"] == "FAILED"
        assert qe["Status"]["StateChangeReason"] == (
            "CONSTRAINT_VIOLATION: For the injected projected partition column device, the WHERE clause must "
            "contain only static equality conditions, and at least one such condition must be present."
        )
    pinned = run(client, f"SELECT id FROM {DB}.devices WHERE device IN ('a', 'b')")
    assert pinned["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: ")  # not modelled, never a guess


# --- a failed UNLOAD leaves its files ------------------------------------------------------------------------
def test_a_failed_unload_leaves_partial_files_and_its_target_is_then_not_empty(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "base", pa.table({"id": pa.array([1], pa.int64())}))
    rule = athena_sandbox.faults.fail_query("UNLOAD", retryable=True, partial_output=True)
    client = athena_sandbox.client("athena")
    target = "s3://skoot-athena-results/la-formats-unload/"
    sql = f"UNLOAD (SELECT id FROM {DB}.base) TO '{target}' WITH (format = 'PARQUET')"
    failed = run(client, sql)
    assert failed["Status"]["State"] == "FAILED" and rule.fired == 1
    left = moto_state.list_objects("skoot-athena-results", "la-formats-unload/")
    assert [f.key for f in left] == [f"la-formats-unload/{failed['QueryExecutionId']}_00000"]
    again = run(client, sql)
    assert again["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS: ")
    for f in left:
        moto_state.s3_backend().delete_object(f.bucket, f.key)


def test_a_stopped_unload_leaves_what_its_writers_flushed(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "base", pa.table({"id": pa.array([1], pa.int64())}))
    athena_sandbox.faults.delay_query("la-formats-stopped", 30.0, partial_output=True)
    client = athena_sandbox.client("athena")
    target = "s3://skoot-athena-results/la-formats-stopped/"
    sql = f"UNLOAD (SELECT id FROM {DB}.base) TO '{target}' WITH (format = 'PARQUET')"
    query_id = client.start_query_execution(QueryString=sql, WorkGroup="primary")["QueryExecutionId"]
    while client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] == "QUEUED":
        pass  # the stand-in runs it on a thread of its own at once
    client.stop_query_execution(QueryExecutionId=query_id)
    state = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"]
    assert state == "CANCELLED"
    left = moto_state.list_objects("skoot-athena-results", "la-formats-stopped/")
    assert [f.key for f in left] == [f"la-formats-stopped/{query_id}_00000"]
    for f in left:
        moto_state.s3_backend().delete_object(f.bucket, f.key)


# --- Glue partition expressions -----------------------------------------------------------------------------
def test_glue_refuses_an_expression_naming_a_reserved_word_column(athena_sandbox: LocalAthena) -> None:
    data = pa.table({"id": pa.array([1, 2], pa.int64()), "key": ["1", "2"], "dt": ["a", "b"]})
    athena_sandbox.put_table(DB, "keyed", data, partition_keys=["key", "dt"])
    glue = athena_sandbox.client("glue")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        glue.get_partitions(DatabaseName=DB, TableName="keyed", Expression="key >= '2'")
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
    # A reserved word inside a string literal, or a key that is no reserved word, is fine.
    found = glue.get_partitions(DatabaseName=DB, TableName="keyed", Expression="dt = 'key' OR dt >= 'b'")
    assert [p["Values"] for p in found["Partitions"]] == [["2", "b"]]


def test_the_connector_and_the_stand_in_know_the_same_reserved_words() -> None:
    assert GLUE_EXPRESSION_RESERVED_WORDS == RESERVED_WORDS


def test_unload_writes_a_manifest_and_a_metadata_file_in_the_result_location(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "base", pa.table({"id": pa.array([1], pa.int64())}))
    target = "s3://skoot-athena-results/la-formats-meta/"
    qe = run(
        athena_sandbox.client("athena"), f"UNLOAD (SELECT id FROM {DB}.base) TO '{target}' WITH (format = 'PARQUET')"
    )
    assert qe["Status"]["State"] == "SUCCEEDED"
    qid = qe["QueryExecutionId"]
    (record,) = [q for q in athena_sandbox.queries if q.query_execution_id == qid]
    bucket, prefix = moto_state.split_s3_url(record.output_location or "")
    names = {f.key.rsplit("/", 1)[-1] for f in moto_state.list_objects(bucket, prefix) if qid in f.key}
    assert {f"{qid}-manifest.csv", f"{qid}.metadata"} <= names
    for f in moto_state.list_objects("skoot-athena-results", "la-formats-meta/"):
        moto_state.s3_backend().delete_object(f.bucket, f.key)


# --- date partition projection ------------------------------------------------------------------------------
def test_date_projection_values_by_format_interval_and_now() -> None:
    days = {"projection.dt.range": "2024-01-30,2024-02-02", "projection.dt.format": "yyyy-MM-dd"}
    assert date_values(days, "dt") == ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"]
    hours = {
        "projection.h.range": "2024/01/01/22,NOW",
        "projection.h.format": "yyyy/MM/dd/HH",
        "projection.h.interval": "2",
        "projection.h.interval.unit": "HOURS",  # required for a sub-day format (partition-projection-supported-types)
    }
    now = dt.datetime(2024, 1, 2, 3, 30)
    assert date_values(hours, "h", now) == ["2024/01/01/22", "2024/01/02/00", "2024/01/02/02"]
    months = {
        "projection.m.range": "NOW-2MONTHS,NOW",
        "projection.m.format": "yyyy-MM",
        "projection.m.interval.unit": "MONTHS",
    }
    assert date_values(months, "m", dt.datetime(2024, 1, 15)) == ["2023-11", "2023-12", "2024-01"]


def test_a_date_projected_table_reads_the_projected_days_not_glues(athena_sandbox: LocalAthena) -> None:
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "dt": ["2024-01-01", "2024-01-02", "2024-01-03"]})
    parameters = {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.range": "2024-01-02,2024-01-03",
        "projection.dt.format": "yyyy-MM-dd",
    }
    athena_sandbox.put_table(DB, "daily", data, partition_keys=["dt"], register_partitions=False, parameters=parameters)
    assert _rows(athena_sandbox, f"SELECT id, dt FROM {DB}.daily ORDER BY id") == [
        ["2", "2024-01-02"],
        ["3", "2024-01-03"],
    ]
