"""No query result is left in the results bucket, whatever happens to the query (review real-aws.md, finding 15).

Athena never deletes what a query wrote: UNLOAD's Parquet files, its manifest and `.metadata`, a SELECT's result
CSV (https://docs.aws.amazon.com/athena/latest/ug/unload.html, "Orphaned data not deleted"). The connector
deletes them once read, and also when it never reads them: slices started ahead for a stream that then failed,
and UNLOAD attempts that were stopped or timed out part-way.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from integration_tests.connector import DEMO_CONFIG, configured_catalog, discover_catalog, run_connector
from integration_tests.glue_statistics import size_partitions
from integration_tests.protocol import assert_valid_protocol
from local_athena import LocalAthena, moto_state

DB = "result_cleanup"
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


def _config() -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [DB], "max_concurrent_queries": len(DAYS)}


def _objects_left(athena: LocalAthena) -> list[str]:
    """What this test's queries left in the results bucket: files under their UNLOAD targets, and Athena's own
    files named by their query ids (other tests' leftovers in the shared bucket are not this test's)."""
    queries = [q for q in athena.queries if q.output_location]
    ids = tuple(q.query_execution_id for q in queries)
    left: list[str] = []
    for bucket, prefix in {moto_state.split_s3_url(q.output_location or "") for q in queries}:
        left += [o.key for o in moto_state.list_objects(bucket, prefix) if o.key.rsplit("/", 1)[-1].startswith(ids)]
    for target in {q.sql.split(" TO '")[1].split("'")[0] for q in queries if q.kind == "UNLOAD"}:
        left += [o.key for o in moto_state.list_objects(*moto_state.split_s3_url(target))]
    return left


def _by_day(athena: LocalAthena) -> dict[str, Any]:
    days = [d for d in DAYS for _ in range(3)]
    data = pa.table({"id": pa.array(range(len(days)), pa.int64()), "dt": days})
    athena.put_table(DB, "daily", data, partition_keys=["dt"])
    size_partitions(athena, DB, "daily", DAYS, per_slice=1)  # one partition a slice: 4 slices, all started at once
    return configured_catalog(discover_catalog(athena, [DB]))


def test_slices_started_ahead_of_a_failed_slice_leave_no_result_files(athena_sandbox: LocalAthena) -> None:
    catalog = _by_day(athena_sandbox)

    # The first slice fails (its UNLOAD and the plain SELECT tried after it) once the three after it have finished.
    def others_done() -> bool:
        return sum(q.kind == "UNLOAD" and q.state == "SUCCEEDED" for q in athena_sandbox.queries) == len(DAYS) - 1

    athena_sandbox.faults.hold_query(DAYS[0], until=others_done)
    failing = athena_sandbox.faults.fail_query(DAYS[0], count=2)
    run = run_connector("read", athena_sandbox.env(), config=_config(), catalog=catalog)
    assert_valid_protocol(run.stdout)
    assert run.returncode == 1
    assert failing.fired == 2
    assert run.records == []  # the stream failed at its first slice: nothing after it is written
    succeeded = [q for q in athena_sandbox.queries if q.kind == "UNLOAD" and q.state == "SUCCEEDED"]
    assert len(succeeded) == 3  # the slices run ahead finished, and were never read
    assert any("Deleted the result files of 3 query(ies) started ahead and never read." in log for log in run.logs)
    assert _objects_left(athena_sandbox) == []


def test_an_unload_stopped_at_the_query_timeout_leaves_no_partial_files(athena_sandbox: LocalAthena) -> None:
    catalog = _by_day(athena_sandbox)
    # The second slice outlives the Query Timeout and is stopped, with a file its writers flushed already.
    athena_sandbox.faults.delay_query(DAYS[1], 30.0, partial_output=True)
    config = {**_config(), "query_timeout_ms": 1000}
    run = run_connector("read", athena_sandbox.env(), config=config, catalog=catalog)
    assert_valid_protocol(run.stdout)
    assert run.returncode == 1
    assert any("did not finish within the Query Timeout" in e["message"] for e in run.errors)
    assert [q.state for q in athena_sandbox.queries if q.kind == "UNLOAD"].count("CANCELLED") == 1
    assert _objects_left(athena_sandbox) == []
