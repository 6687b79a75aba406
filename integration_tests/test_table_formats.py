"""Lake table formats through the command line: each kind read exactly, or its stream refused clearly — never a
COMPLETE stream with rows missing, never one bad table failing the others."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from integration_tests.connector import (
    DEMO_CONFIG,
    configured_catalog,
    discover_catalog,
    last_states,
    run_connector,
    run_discover,
)
from local_athena import LocalAthena, moto_state

DB = "lake_formats"


def _events(ids: list[int], days: list[str]) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": [f"e{i}" for i in ids],
            "day": pa.array([dt.date.fromisoformat(d) for d in days], pa.date32()),
        }
    )


def _expected(ids: list[int], days: list[str]) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"e{i}", "day": d} for i, d in zip(ids, days, strict=True)]


def _read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Any:
    return run_connector("read", athena.env(), config=DEMO_CONFIG, catalog=catalog, state=state)


def test_partitioned_delta_is_read_whole_not_from_glues_empty_partitions(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02", "2024-01-02"]
    athena_sandbox.put_delta_table(DB, "events", _events([1, 2, 3], days), partition_keys=["day"])
    catalog = discover_catalog(athena_sandbox, [DB])
    (stream,) = catalog["streams"]
    assert sorted(stream["json_schema"]["properties"]) == ["day", "id", "name"]
    run = _read(athena_sandbox, configured_catalog(catalog))
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(run.rows("events"), key=lambda r: r["id"]) == _expected([1, 2, 3], days)
    assert run.statuses("events") == ["STARTED", "RUNNING", "COMPLETE"]
    assert athena_sandbox.calls["glue:GetPartitions"] == 0


def test_delta_incremental_on_its_partition_key_reads_each_new_commit(athena_sandbox: LocalAthena) -> None:
    location = athena_sandbox.put_delta_table(
        DB, "events", _events([1, 2], ["2024-01-01", "2024-01-02"]), partition_keys=["day"]
    )
    catalog = configured_catalog(
        discover_catalog(athena_sandbox, [DB]), sync_mode="incremental", cursor={"events": "day"}
    )
    first = _read(athena_sandbox, catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    assert sorted(r["id"] for r in first.rows("events")) == [1, 2]
    athena_sandbox.commit_delta(location, _events([3, 4], ["2024-01-02", "2024-01-05"]), ["day"])
    second = _read(athena_sandbox, catalog, state=last_states(first))
    assert second.returncode == 0, second.stderr[-2000:]
    # The cursor is inclusive (>= the saved day): the new row of the saved day is read too.
    assert sorted(r["id"] for r in second.rows("events")) == [2, 3, 4]
    (state,) = last_states(second)
    assert state["stream"]["stream_state"]["cursor"] == "2024-01-05"


def test_spark_placeholder_delta_is_left_out_at_discover_with_the_reason(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_delta_table(DB, "spark_events", _events([1], ["2024-01-01"]), spark_placeholder=True)
    athena_sandbox.put_delta_table(DB, "events", _events([1], ["2024-01-01"]))
    run = run_discover(athena_sandbox, databases=[DB])
    (message,) = run.of_type("CATALOG")
    assert [s["name"] for s in message["catalog"]["streams"]] == ["events"]
    assert any("spark_events" in log and "placeholder" in log for log in run.logs)


def test_an_unreadable_delta_table_fails_its_stream_only(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_delta_table(DB, "events", _events([1, 2], days), partition_keys=["day"])
    athena_sandbox.put_table(DB, "plain", _events([5, 6], days))
    broken = athena_sandbox.put_delta_table(DB, "broken", _events([9], ["2024-01-09"]))
    catalog = configured_catalog(discover_catalog(athena_sandbox, [DB]))
    bucket, prefix = moto_state.split_s3_url(broken)
    moto_state.put_object(bucket, f"{prefix}_delta_log/00000000000000000000.json", b"")  # its log lost metaData
    run = _read(athena_sandbox, catalog)
    assert run.returncode == 1
    assert run.statuses("broken")[-1] == "INCOMPLETE"
    assert any("broken" in e["message"] and "DELTA_LAKE_INVALID_SCHEMA" in e["message"] for e in run.errors)
    assert sorted(run.rows("events"), key=lambda r: r["id"]) == _expected([1, 2], days)
    assert sorted(run.rows("plain"), key=lambda r: r["id"]) == _expected([5, 6], days)
    assert run.statuses("events")[-1] == "COMPLETE" and run.statuses("plain")[-1] == "COMPLETE"


# --- Iceberg ------------------------------------------------------------------------------------------------
UTC = dt.UTC


def _iceberg_rows(ids: list[int], hour: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "ts": pa.array(
                [dt.datetime(2024, 1, 1, hour, 0, i, 123456, UTC) for i in ids], pa.timestamp("us", tz="UTC")
            ),
            "at": pa.array([dt.time(12, 30, i, 5) for i in ids], pa.time64("us")),
            "ref": [f"0f8fad5b-d9cb-469f-a165-7086772895{i:02d}" for i in ids],
        }
    )


def test_iceberg_offers_current_columns_and_reads_zoned_time_and_uuid_exactly(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_iceberg_table(
        DB, "ice", _iceberg_rows([1, 2], 9), types={"ref": "uuid"}, dropped={"old_col": "string"}
    )
    catalog = discover_catalog(athena_sandbox, [DB])
    (stream,) = catalog["streams"]
    assert sorted(stream["json_schema"]["properties"]) == ["at", "id", "ref", "ts"]
    run = _read(athena_sandbox, configured_catalog(catalog))
    assert run.returncode == 0, run.stdout[-3000:]
    assert sorted(run.rows("ice"), key=lambda r: r["id"]) == [
        {
            "id": 1,
            "ts": "2024-01-01T09:00:01.123456",
            "at": "12:30:01.000005",
            "ref": "0f8fad5b-d9cb-469f-a165-708677289501",
        },
        {
            "id": 2,
            "ts": "2024-01-01T09:00:02.123456",
            "at": "12:30:02.000005",
            "ref": "0f8fad5b-d9cb-469f-a165-708677289502",
        },
    ]
    assert run.statuses("ice")[-1] == "COMPLETE"
    assert not any("old_col" in q.sql for q in athena_sandbox.queries)


def test_iceberg_incremental_on_a_timestamptz_cursor(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_iceberg_table(DB, "ice", _iceberg_rows([1, 2], 9), types={"ref": "uuid"})
    catalog = configured_catalog(discover_catalog(athena_sandbox, [DB]), sync_mode="incremental", cursor={"ice": "ts"})
    first = _read(athena_sandbox, catalog)
    assert first.returncode == 0, first.stdout[-3000:]
    assert sorted(r["id"] for r in first.rows("ice")) == [1, 2]
    (state,) = last_states(first)
    assert state["stream"]["stream_state"]["cursor"] == "2024-01-01 09:00:02.123456"
    athena_sandbox.append_iceberg(DB, "ice", _iceberg_rows([3], 10))
    second = _read(athena_sandbox, catalog, state=last_states(first))
    assert second.returncode == 0, second.stdout[-3000:]
    assert sorted(r["id"] for r in second.rows("ice")) == [2, 3]  # the cursor is inclusive


# --- views and partition projection -------------------------------------------------------------------------
def test_spark_views_and_injected_projection_are_left_out_with_the_reason(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_table(DB, "base", _events([1, 2], days))
    athena_sandbox.put_table(DB, "athena_view", _events([1, 2], days), view_sql=f"SELECT * FROM {DB}.base")
    glue = athena_sandbox.client("glue")
    view_input = {
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {},
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
    }
    glue.create_table(
        DatabaseName=DB,
        TableInput={**view_input, "Name": "spark_view", "ViewOriginalText": f"SELECT id FROM {DB}.base"},
    )
    representation = {"Dialect": "ATHENA", "DialectVersion": "3", "ViewOriginalText": f"SELECT id FROM {DB}.base"}
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            **view_input,
            "Name": "glue_view",
            "ViewDefinition": {
                "IsProtected": True,
                "Definer": "arn:aws:iam::123456789012:role/x",
                "Representations": [representation],
            },
        },
    )
    athena_sandbox.put_table(
        DB,
        "devices",
        pa.table({"id": pa.array([1], pa.int64()), "device": ["a"]}),
        partition_keys=["device"],
        parameters={"projection.enabled": "true", "projection.device.type": "injected"},
    )
    run = run_discover(athena_sandbox, databases=[DB])
    (message,) = run.of_type("CATALOG")
    assert sorted(s["name"] for s in message["catalog"]["streams"]) == ["athena_view", "base", "glue_view"]
    assert any("spark_view" in log and "Spark or Hive view" in log for log in run.logs)
    assert any("devices" in log and "injects 'device'" in log and "CONSTRAINT_VIOLATION" in log for log in run.logs)


def test_an_athena_view_reads_exactly(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_table(DB, "base", _events([1, 2], days))
    athena_sandbox.put_table(DB, "recent", _events([2], days[1:]), view_sql=f"SELECT * FROM {DB}.base WHERE id > 1")
    run = _read(athena_sandbox, configured_catalog(discover_catalog(athena_sandbox, [DB]), streams=["recent"]))
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.rows("recent") == _expected([2], days[1:])


# --- UNLOAD retry -------------------------------------------------------------------------------------------
def test_a_retried_unload_uses_a_fresh_prefix_and_deletes_the_failed_attempts_files(
    athena_sandbox: LocalAthena,
) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_table(DB, "plain", _events([5, 6], days))
    catalog = configured_catalog(discover_catalog(athena_sandbox, [DB]))
    rule = athena_sandbox.faults.fail_query("UNLOAD", retryable=True, partial_output=True)
    run = _read(athena_sandbox, catalog)
    assert run.returncode == 0, run.stdout[-3000:]
    assert rule.fired == 1
    assert sorted(run.rows("plain"), key=lambda r: r["id"]) == _expected([5, 6], days)
    assert not any("result CSV for the rest" in log for log in run.logs)  # still on the Parquet path
    unloads = [q for q in athena_sandbox.queries if q.kind == "UNLOAD"]
    assert [q.state for q in unloads] == ["FAILED", "SUCCEEDED"]
    (failed_target,) = {q.sql.split(" TO '")[1].split("'")[0] for q in unloads[:1]}
    (retry_target,) = {q.sql.split(" TO '")[1].split("'")[0] for q in unloads[1:]}
    assert retry_target != failed_target and retry_target.endswith("-retry2/")
    bucket, prefix = moto_state.split_s3_url(failed_target)
    assert moto_state.list_objects(bucket, prefix) == []  # the partial file is gone
    assert moto_state.list_objects(*moto_state.split_s3_url(retry_target)) == []  # read and deleted


# --- partition keys named with Glue's reserved words --------------------------------------------------------
def test_incremental_on_a_partition_key_named_order_lists_only_newer_partitions(athena_sandbox: LocalAthena) -> None:
    data = pa.table({"id": pa.array([1, 2], pa.int64()), "order": pa.array([1, 2], pa.int32())})
    athena_sandbox.put_table(DB, "orders", data, partition_keys=["order"])
    catalog = configured_catalog(
        discover_catalog(athena_sandbox, [DB]), sync_mode="incremental", cursor={"orders": "order"}
    )
    first = _read(athena_sandbox, catalog)
    assert first.returncode == 0, first.stdout[-3000:]
    assert sorted(r["id"] for r in first.rows("orders")) == [1, 2]
    athena_sandbox.append_rows(
        DB, "orders", pa.table({"id": pa.array([3], pa.int64()), "order": pa.array([3], pa.int32())})
    )
    second = _read(athena_sandbox, catalog, state=last_states(first))
    assert second.returncode == 0, second.stdout[-3000:]
    assert sorted(r["id"] for r in second.rows("orders")) == [3]  # only the new partition's file (file_increments.py)
    (state,) = last_states(second)
    assert state["stream"]["stream_state"]["cursor"] == "3"


def test_a_configured_stream_of_an_injected_projection_table_fails_alone_with_the_reason(
    athena_sandbox: LocalAthena,
) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_table(DB, "plain", _events([5, 6], days))
    athena_sandbox.put_delta_table(DB, "events", _events([1, 2], days), partition_keys=["day"])
    good = configured_catalog(discover_catalog(athena_sandbox, [DB]))
    athena_sandbox.put_table(
        DB,
        "devices",
        pa.table({"id": pa.array([1], pa.int64()), "device": ["a"]}),
        partition_keys=["device"],
        parameters={"projection.enabled": "true", "projection.device.type": "injected"},
    )
    # Configured before the table's projection was changed to `injected` (discover now leaves it out).
    stale = json.loads(json.dumps(good["streams"][0]))
    stale["stream"]["name"] = "devices"
    stale["stream"]["json_schema"]["properties"] = {
        "id": {"type": ["null", "integer"]},
        "device": {"type": ["null", "string"]},
    }
    run = _read(athena_sandbox, {"streams": [*good["streams"], stale]})
    assert run.returncode == 1
    assert run.statuses("devices")[-1] == "INCOMPLETE"
    assert any("devices cannot be read" in e["message"] and "injects 'device'" in e["message"] for e in run.errors)
    assert not any("devices" in q.sql for q in athena_sandbox.queries)
    assert sorted(run.rows("plain"), key=lambda r: r["id"]) == _expected([5, 6], days)
    assert sorted(run.rows("events"), key=lambda r: r["id"]) == _expected([1, 2], days)


def test_a_read_leaves_no_unload_manifest_or_metadata_file(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "plain", _events([5], ["2024-01-01"]))
    run = _read(athena_sandbox, configured_catalog(discover_catalog(athena_sandbox, [DB])))
    assert run.returncode == 0, run.stdout[-3000:]
    (unload,) = [q for q in athena_sandbox.queries if q.kind == "UNLOAD"]
    bucket, prefix = moto_state.split_s3_url(unload.output_location or "")
    names = {f.key.rsplit("/", 1)[-1] for f in moto_state.list_objects(bucket, prefix)}
    assert not {n for n in names if n.startswith(unload.query_execution_id)}  # manifest and .metadata deleted


def test_a_date_projected_table_reads_exactly_what_athena_projects(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02", "2024-01-03"]
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "dt": days})
    parameters = {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.range": "2024-01-02,2024-01-03",
        "projection.dt.format": "yyyy-MM-dd",
    }
    athena_sandbox.put_table(DB, "daily", data, partition_keys=["dt"], register_partitions=False, parameters=parameters)
    catalog = configured_catalog(
        discover_catalog(athena_sandbox, [DB]), sync_mode="incremental", cursor={"daily": "dt"}
    )
    run = _read(athena_sandbox, catalog)
    assert run.returncode == 0, run.stdout[-3000:]
    assert sorted(run.rows("daily"), key=lambda r: r["id"]) == [{"id": 2, "dt": days[1]}, {"id": 3, "dt": days[2]}]
    assert athena_sandbox.calls["glue:GetPartitions"] == 0  # projection: Glue's partitions are not Athena's
    (state,) = last_states(run)
    assert state["stream"]["stream_state"]["cursor"] == "2024-01-03"


def test_a_failed_unload_falling_back_to_csv_leaves_no_partial_files(athena_sandbox: LocalAthena) -> None:
    days = ["2024-01-01", "2024-01-02"]
    athena_sandbox.put_table(DB, "plain", _events([5, 6], days))
    catalog = configured_catalog(discover_catalog(athena_sandbox, [DB]))
    rule = athena_sandbox.faults.fail_query("UNLOAD", error_type="NOT_SUPPORTED", partial_output=True)
    run = _read(athena_sandbox, catalog)
    assert run.returncode == 0, run.stdout[-3000:]
    assert rule.fired == 1
    assert sorted(run.rows("plain"), key=lambda r: r["id"]) == _expected([5, 6], days)
    assert any("result CSV for the rest" in log for log in run.logs)
    (failed,) = [q for q in athena_sandbox.queries if q.kind == "UNLOAD"]
    target = failed.sql.split(" TO '")[1].split("'")[0]
    assert moto_state.list_objects(*moto_state.split_s3_url(target)) == []
