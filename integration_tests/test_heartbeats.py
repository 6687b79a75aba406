"""Heartbeats, progress and the RATE_LIMITED status while Athena works, through the command line.

The platform fails a source that sends no RECORD or STATE for longer than its limit (legacy heartbeat mode,
docs/platform/understanding-airbyte/heartbeats.md). The stand-in keeps a query RUNNING for a while (its per-query
delay fault) and the heartbeat interval is set to a fraction of a second through SKOOT_ATHENA_HEARTBEAT_SECONDS,
so the test waits on Athena, never on a sleep of its own.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from integration_tests.glue_statistics import size_partitions
from integration_tests.protocol import assert_valid_protocol
from local_athena import LocalAthena
from source_skoot_athena.read.progress import HEARTBEAT_ENV

DB = "heartbeats"
DONE = {"__ab_full_refresh_sync_complete": True}
DAYS = [f"2024-01-{d:02d}" for d in range(1, 26)]  # 25 partitions: slices of 20 and 5
PER_PARTITION = 4
DELAY_S = 2.5
INTERVAL_S = 0.2


def config() -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [DB]}


@pytest.fixture(scope="module")
def discovered(local_athena: LocalAthena) -> dict[str, Any]:
    days = [d for d in DAYS for _ in range(PER_PARTITION)]
    local_athena.put_table(
        DB,
        "slow",
        pa.table({"id": pa.array(range(len(days)), pa.int64()), "dt": pa.array(days)}),
        partition_keys=["dt"],
    )
    size_partitions(local_athena, DB, "slow", DAYS)  # slices of 20 partitions, as Glue statistics size them
    run = run_connector("discover", local_athena.env(), config=config())
    assert run.returncode == 0, run.stdout[-2000:]
    catalog: dict[str, Any] = run.of_type("CATALOG")[0]["catalog"]
    return catalog


def read(athena: LocalAthena, catalog: dict[str, Any], env: dict[str, str], **settings: Any) -> Run:
    run = run_connector("read", {**athena.env(), **env}, config={**config(), **settings}, catalog=catalog)
    assert_valid_protocol(run.stdout)
    assert run.returncode == 0, run.errors
    return run


def states_with_counts(run: Run) -> list[tuple[dict[str, Any], float]]:
    return [(s["stream"]["stream_state"], s["sourceStats"]["recordCount"]) for s in run.states]


def test_a_long_query_re_emits_the_last_state_and_logs_its_progress(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    athena.faults.delay_query(f"'{DAYS[20]}'", DELAY_S)  # the second slice's query stays RUNNING
    run = read(athena, configured_catalog(discovered), {HEARTBEAT_ENV: str(INTERVAL_S)})

    assert sorted(r["id"] for r in run.rows("slow")) == list(range(len(DAYS) * PER_PARTITION))
    states = states_with_counts(run)
    written = [(blob, count) for blob, count in states if count > 0]
    assert written == [({"resume_after": [DAYS[19]]}, 20.0 * PER_PARTITION), (DONE, 5.0 * PER_PARTITION)]
    # Every heartbeat re-emits the stream's last STATE (the saved one, here none, before the first) with no records.
    last: dict[str, Any] = {}
    for blob, count in states:
        if count == 0:
            assert blob == last, states
        last = blob
    # The second slice's query ran DELAY_S: several heartbeats between the first slice's STATE and its records.
    kinds = [
        "heartbeat" if m["type"] == "STATE" and m["state"]["sourceStats"]["recordCount"] == 0 else m["type"]
        for m in run.messages
        if m["type"] in ("RECORD", "STATE")
    ]
    after_first = kinds[kinds.index("STATE") + 1 :]
    assert after_first[:2] == ["heartbeat", "heartbeat"], kinds

    (slow_query,) = [q for q in athena.queries if f"'{DAYS[20]}'" in q.sql]
    still = [
        log
        for log in run.logs
        if log.startswith(f"still running: query {slow_query.query_execution_id} (UNLOAD of {DB}.slow)")
    ]
    assert still and all(re.search(r", \d+ s, \d+ bytes scanned so far\.$", log) for log in still), run.logs
    # Progress at the same tick: slices done of total, rows (with those of the slice being written), bytes, cost.
    progress = [
        re.fullmatch(
            rf"{DB}\.slow progress: 1/2 slices, (\d+) rows, \d+ bytes scanned, estimated cost \$\d+\.\d{{6}} so far\.",
            log,
        )
        for log in run.logs
        if log.startswith(f"{DB}.slow progress: 1/2 slices")
    ]
    assert progress and all(m is not None and int(m.group(1)) >= 20 * PER_PARTITION for m in progress), run.logs


def test_no_heartbeat_when_queries_finish_within_the_interval(athena: LocalAthena, discovered: dict[str, Any]) -> None:
    run = read(athena, configured_catalog(discovered), {})  # the default interval, 60 s
    assert [s for s, _ in states_with_counts(run)] == [{"resume_after": [DAYS[19]]}, DONE]
    assert not [log for log in run.logs if "still running" in log or " progress: " in log]


def test_planning_a_stream_keeps_the_heartbeat_while_its_cursor_bound_runs(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    # An incremental stream is planned with `SELECT max(cursor)`: the stand-in keeps that query RUNNING.
    athena.faults.delay_query("max(", DELAY_S)
    catalog = configured_catalog(discovered, sync_mode="incremental", cursor={"slow": "id"})
    run = read(athena, catalog, {HEARTBEAT_ENV: str(INTERVAL_S)})

    assert sorted(r["id"] for r in run.rows("slow")) == list(range(len(DAYS) * PER_PARTITION))
    (bound,) = [q for q in athena.queries if "max(" in q.sql]
    # STARTED first, then heartbeats (the saved state, here none, with no records) while the bound runs, and only
    # then the stream's ESTIMATE and its records.
    kinds = [
        m["trace"]["type"] if m["type"] == "TRACE" else m["type"]
        for m in run.messages
        if m["type"] in ("RECORD", "STATE", "TRACE")
    ]
    before_estimate = kinds[: kinds.index("ESTIMATE")]
    assert before_estimate[0] == "STREAM_STATUS" and before_estimate.count("STATE") >= 2, kinds
    assert "RECORD" not in before_estimate
    first_states = run.states[: before_estimate.count("STATE")]
    assert all(s["sourceStats"]["recordCount"] == 0 and s["stream"]["stream_state"] == {} for s in first_states)
    still = [log for log in run.logs if log.startswith(f"still running: query {bound.query_execution_id} (")]
    assert still and all(f"(cursor bound of {DB}.slow)" in log for log in still), run.logs


def test_a_start_waiting_out_the_concurrency_limit_says_rate_limited(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    # Both slices' queries start at once; Athena's active-query quota of one refuses the second start, and with
    # botocore's own retries cut to one attempt the connector's backoff (2 s or more) begins at once: the writer,
    # looking every second while it waits, sees the start waiting out the limit.
    athena.max_active_queries = 1
    athena.faults.delay_query("UNLOAD", DELAY_S)  # the query holding the one slot stays RUNNING
    run = read(athena, configured_catalog(discovered), {"AWS_MAX_ATTEMPTS": "1"}, max_concurrent_queries=2)

    assert sorted(r["id"] for r in run.rows("slow")) == list(range(len(DAYS) * PER_PARTITION))
    assert athena.refused_queries >= 1
    assert any("concurrent query limit was reached" in log for log in run.logs), run.logs
    statuses = [
        m["trace"]["stream_status"]
        for m in run.messages
        if m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS"
    ]
    limited = [s for s in statuses if s.get("reasons")]
    assert limited and all(s["status"] == "RUNNING" and s["reasons"] == [{"type": "RATE_LIMITED"}] for s in limited)
    assert all(s["stream_descriptor"] == {"name": "slow", "namespace": DB} for s in limited)
    # Within the stream's life: after STARTED, before COMPLETE.
    order = [s["status"] + ("/RATE_LIMITED" if s.get("reasons") else "") for s in statuses]
    assert order[0] == "STARTED" and order[-1] == "COMPLETE" and "RUNNING/RATE_LIMITED" in order[1:-1], order
