"""A failed sync attempt and the platform's retry, through the command line: no stream is delivered twice.

When one stream of a job fails, the Airbyte platform starts another attempt of the same job with the last STATE
each stream emitted (docs/platform/understanding-airbyte/resumability.md). A full-refresh stream that finished
says so with the CDK's terminal state `{"__ab_full_refresh_sync_complete": true}`
(airbyte_cdk/sources/streams/checkpoint/checkpoint_reader.py), so the retry skips it; the failed stream resumes
after its last finished slice; an incremental stream keeps its cursor. Every stdout line is validated against
the protocol's own models.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from integration_tests.glue_statistics import size_partitions
from integration_tests.protocol import assert_valid_protocol
from local_athena import LocalAthena
from source_skoot_athena.read.progress import HEARTBEAT_ENV

DB = "retry_attempts"
DONE = {"__ab_full_refresh_sync_complete": True}
DAYS = [f"2024-{m:02d}-{d:02d}" for m in (1, 2) for d in range(1, 29)][:45]  # 45 partitions: 3 slices of <= 20
ROWS = {"first": 5, "second": 7}
PER_PARTITION = 3


def config() -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [DB]}


def plain(rows: int, first_id: int) -> pa.Table:
    return pa.table({"id": pa.array(range(first_id, first_id + rows), pa.int64())})


def by_day() -> pa.Table:
    days = [d for d in DAYS for _ in range(PER_PARTITION)]
    return pa.table({"id": pa.array(range(len(days)), pa.int64()), "dt": pa.array(days)})


@pytest.fixture(scope="module")
def discovered(local_athena: LocalAthena) -> dict[str, Any]:
    local_athena.put_table(DB, "first", plain(ROWS["first"], 0))
    local_athena.put_table(DB, "second", plain(ROWS["second"], 100))
    local_athena.put_table(DB, "third", by_day(), partition_keys=["dt"])
    size_partitions(local_athena, DB, "third", DAYS)  # slices of 20 partitions, as Glue statistics size them
    run = run_connector("discover", local_athena.env(), config=config())
    assert run.returncode == 0, run.stdout[-2000:]
    catalog: dict[str, Any] = run.of_type("CATALOG")[0]["catalog"]
    return catalog


def read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Run:
    """One attempt: `read` through the command line, every stdout line a valid Airbyte message."""
    # Heartbeats (re-emitted states) every hour only: the test compares the exact STATE sequences.
    run = run_connector("read", {**athena.env(), HEARTBEAT_ENV: "3600"}, config=config(), catalog=catalog, state=state)
    assert_valid_protocol(run.stdout)
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    return run


def last_states(run: Run) -> list[dict[str, Any]]:
    """Per stream, the last STATE it emitted: what the platform passes to the next attempt."""
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for state in run.states:
        descriptor = state["stream"]["stream_descriptor"]
        last[(descriptor.get("namespace"), descriptor["name"])] = {
            "type": "STREAM",
            "stream": {"stream_descriptor": descriptor, "stream_state": state["stream"]["stream_state"]},
        }
    return list(last.values())


def blobs(run: Run, stream: str) -> list[dict[str, Any]]:
    return [s["stream"]["stream_state"] for s in run.states if s["stream"]["stream_descriptor"]["name"] == stream]


def test_a_retry_reads_only_what_the_failed_attempt_did_not_deliver(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    catalog = configured_catalog(discovered)
    assert [s["stream"]["name"] for s in catalog["streams"]] == ["first", "second", "third"]
    # The third stream's second slice (partitions 21-40) cannot be read: both UNLOAD and the plain SELECT fail.
    athena.faults.fail_query(f"'{DAYS[20]}'", count=2, error_type="HIVE_BAD_DATA")
    failed = read(athena, catalog)
    assert failed.returncode == 1
    assert failed.statuses("first") == ["STARTED", "RUNNING", "COMPLETE"]
    assert failed.statuses("third") == ["STARTED", "RUNNING", "INCOMPLETE"]
    assert blobs(failed, "first") == [DONE] and blobs(failed, "second") == [DONE]
    assert blobs(failed, "third") == [{"resume_after": [DAYS[19]]}]
    assert len(failed.rows("third")) == 20 * PER_PARTITION

    athena.faults.clear()  # the cause is fixed; the platform retries with each stream's last state
    athena.reset_observations()
    retry = read(athena, catalog, state=last_states(failed))
    assert retry.returncode == 0, retry.errors
    for finished in ("first", "second"):
        assert retry.statuses(finished) == ["STARTED", "COMPLETE"]
        assert retry.rows(finished) == [] and blobs(retry, finished) == [DONE]
        assert not [q for q in athena.queries if f'"{finished}"' in q.sql], "a finished stream is not queried"
    assert retry.statuses("third") == ["STARTED", "RUNNING", "COMPLETE"]
    assert blobs(retry, "third") == [{"resume_after": [DAYS[39]]}, DONE]
    assert any("already read in full by an earlier attempt" in log for log in retry.logs)

    # Across both attempts every row arrives exactly once.
    for stream, expected in [*ROWS.items(), ("third", len(DAYS) * PER_PARTITION)]:
        delivered = Counter(r["id"] for r in failed.rows(stream) + retry.rows(stream))
        assert sum(delivered.values()) == expected == len(delivered), stream


def test_an_incremental_stream_keeps_its_cursor_across_the_retry(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    """A partition-key cursor reads unread files (file_increments.py), here all in one slice: the failed attempt
    saves no cursor for it, the retry reads it whole once, and the finished full-refresh stream is not re-read."""
    catalog = configured_catalog(
        discovered, streams=["first", "third"], sync_mode="incremental", cursor={"third": "dt"}
    )
    catalog["streams"][0] = configured_catalog(discovered, streams=["first"])["streams"][0]  # first: full refresh
    athena.faults.fail_query(f"(read {DB}.third)", count=2, error_type="HIVE_BAD_DATA")  # UNLOAD, then the SELECT
    failed = read(athena, catalog)
    assert failed.returncode == 1
    assert failed.statuses("third") == ["STARTED", "INCOMPLETE"]
    assert all("cursor" not in blob for blob in blobs(failed, "third")), "no cursor past rows not emitted"

    athena.faults.clear()
    retry = read(athena, catalog, state=last_states(failed))
    assert retry.returncode == 0, retry.errors
    assert retry.rows("first") == []
    assert blobs(retry, "third")[-1]["cursor"] == DAYS[-1]
    delivered = Counter(r["id"] for r in failed.rows("third") + retry.rows("third"))
    assert delivered == Counter(range(len(DAYS) * PER_PARTITION)), "every row exactly once across the attempts"


def test_a_new_job_without_state_reads_every_stream_again(athena: LocalAthena, discovered: dict[str, Any]) -> None:
    """The terminal state is per job: the platform clears full-refresh states when a new job starts."""
    catalog = configured_catalog(discovered, streams=["first"])
    first = read(athena, catalog)
    assert first.returncode == 0 and blobs(first, "first") == [DONE]
    again = read(athena, catalog)
    assert len(again.rows("first")) == ROWS["first"]
