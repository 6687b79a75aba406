"""The heartbeat's parts without AWS: the tick, its interval setting, the runner's view of running queries, and the
messages written while a slice's query waits out Athena's concurrency limit (RUNNING with reason RATE_LIMITED).

The concurrency wait is held open by an Event the test releases (no sleeps); the clock is a counter.
"""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStreamStatus, AirbyteStreamStatusReasonType, Type

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.read.progress import (
    DEFAULT_HEARTBEAT_S,
    HEARTBEAT_ENV,
    StreamProgress,
    Ticker,
    heartbeat_interval,
)
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.read.stream_output import StreamOutput
from source_skoot_athena.state import StreamState
from source_skoot_athena.types import ReadPath
from unit_tests.test_query_runner import CONFIG, FakeAthena
from unit_tests.test_read_scheduler import plan_with, run_of

LOGGER = logging.getLogger("test_progress")


def test_the_ticker_fires_once_per_interval() -> None:
    now = [100.0]
    ticker = Ticker(60, clock=lambda: now[0])
    assert not ticker.due() and ticker.seconds_left() == 60
    now[0] = 160.0
    assert ticker.due() and not ticker.due(), "once per interval"
    now[0] = 219.0
    assert ticker.seconds_left() == pytest.approx(1.0) and not ticker.due()


@pytest.mark.parametrize(("value", "expected"), [("0.25", 0.25), ("", DEFAULT_HEARTBEAT_S), ("-1", 60), ("x", 60)])
def test_the_interval_comes_from_the_environment_when_it_is_a_positive_number(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: float
) -> None:
    monkeypatch.setenv(HEARTBEAT_ENV, value)
    assert heartbeat_interval() == expected


def test_progress_adds_each_slices_rows_bytes_and_billed_cost() -> None:
    from source_skoot_athena.athena import FinishedQuery

    progress = StreamProgress(slices_total=3)
    progress.add_slice(10, FinishedQuery("q1", None, None, 1024, 5))
    progress.add_slice(5, FinishedQuery("q2", None, None, 2048, 5))
    line = progress.line("db.t")
    # Each query is billed at least 10 MB: 2 x 10 MiB at $5/TiB.
    assert line == "db.t progress: 2/3 slices, 15 rows, 3072 bytes scanned, estimated cost $0.000095 so far."


class HeldStop(threading.Event):
    """The runner's stop Event: its first wait (the concurrency backoff) holds until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()
        self.release = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        self.release.wait()
        return self.is_set()


class ScannedAthena(FakeAthena):
    """Reports the query RUNNING with bytes scanned so far once, then SUCCEEDED."""

    polls = 0

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.polls += 1
        if self.polls == 1:
            status = {"State": "RUNNING"}
            return {"QueryExecution": {"Status": status, "Statistics": {"DataScannedInBytes": 4096}}}
        return super().get_query_execution(QueryExecutionId)


def test_waiting_out_the_concurrency_limit_writes_running_rate_limited_once_without_waiting_for_a_tick() -> None:
    stop = HeldStop()
    runner = QueryRunner(FakeAthena(busy=1), CONFIG, LOGGER, stop=stop)
    run = run_of("t")
    run.plan = plan_with(2)
    never = Ticker(1e9, clock=lambda: 0.0)  # no heartbeat tick during this test
    output = StreamOutput(None, runner, never, LOGGER)  # type: ignore[arg-type]
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(lambda: SliceQuery(runner.run("SELECT 1", purpose="UNLOAD of db.t"), ReadPath.CSV, None))
        assert stop.waiting.wait(10)
        waiting = output._await(run, future)
        status = next(waiting)
        stop.release.set()
        rest = []
        with pytest.raises(StopIteration) as finished:
            while True:
                rest.append(next(waiting))
    assert status["trace"]["stream_status"]["status"] == AirbyteStreamStatus.RUNNING.value
    assert status["trace"]["stream_status"]["reasons"] == [{"type": AirbyteStreamStatusReasonType.RATE_LIMITED.value}]
    assert rest == [], "once per wait, and no heartbeat before the tick"
    assert finished.value.value.finished.query_id == "q1" and not runner.active.rate_limited


def test_a_heartbeat_re_emits_the_last_state_with_no_records() -> None:
    runner = QueryRunner(FakeAthena(), CONFIG, LOGGER)
    run = run_of("t")
    run.plan = plan_with(2)
    run.last_state = StreamState(resume_after=["2024-01-01"])
    ticks = itertools.count()
    output = StreamOutput(None, runner, Ticker(0.5, clock=lambda: float(next(ticks))), LOGGER)  # type: ignore[arg-type]
    never_done: Future[SliceQuery] = Future()
    state = next(output._await(run, never_done))
    assert state["type"] == Type.STATE.value
    assert state["state"]["stream"]["stream_state"] == {"resume_after": ["2024-01-01"]}
    assert state["state"]["sourceStats"] == {"recordCount": 0}


def test_the_runner_lists_a_running_query_with_its_bytes_scanned_so_far() -> None:
    seen: list[Any] = []
    runners: list[QueryRunner] = []

    class RecordingStop(threading.Event):
        """Each poll wait records what the runner says is running, and returns at once."""

        def wait(self, timeout: float | None = None) -> bool:
            seen.extend(runners[0].active.snapshot())
            return False

    runners.append(QueryRunner(ScannedAthena(), CONFIG, LOGGER, stop=RecordingStop()))
    runners[0].run("SELECT 1", purpose="query of db.t")
    assert [(q.query_id, q.purpose, q.scanned_bytes) for q in seen] == [("q1", "query of db.t", 4096)]
    assert runners[0].active.snapshot() == []
