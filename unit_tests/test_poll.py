"""How often a running query is polled: soon enough to see a short one finish within 0.025 s, within Athena's quota
counted over the queries running at the time."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from source_skoot_athena.athena import POLL_CALLS_PER_S, POLL_FAST_S, POLL_MAX_S, QueryRunner, poll_interval
from source_skoot_athena.config import Config

CONFIG = Config("Test", "ap-south-1", "AKIAIOSFODNN7EXAMPLE", "secret", "primary", "AwsDataCatalog", 60000)
GET_QUERY_EXECUTION_QUOTA_PER_S = (
    100  # Athena's default, per account and region (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html)
)


@pytest.mark.parametrize(
    ("elapsed", "expected"), [(0.0, 0.025), (2.0, 0.025), (5.0, 0.05), (10.0, 0.1), (30.0, 0.3), (600.0, 1.0)]
)
def test_a_lone_query_is_polled_every_fortieth_of_a_second_then_at_one_percent_of_its_run_time(
    elapsed: float, expected: float
) -> None:
    assert poll_interval(elapsed, 1) == pytest.approx(expected)


@pytest.mark.parametrize("concurrent", [1, 2, 5, 10, 20])
def test_polling_every_running_query_stays_within_half_the_get_query_execution_quota(concurrent: int) -> None:
    calls_per_s = concurrent / poll_interval(0.0, concurrent)
    assert calls_per_s <= POLL_CALLS_PER_S <= GET_QUERY_EXECUTION_QUOTA_PER_S / 2
    assert poll_interval(10_000.0, concurrent) == POLL_MAX_S


class RunningThenDone:
    """GetQueryExecution answering RUNNING `running` times, then SUCCEEDED."""

    def __init__(self, running: int) -> None:
        self.running = running
        self.polls = 0

    def start_query_execution(self, **_: Any) -> dict[str, Any]:
        return {"QueryExecutionId": "q1"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.polls += 1
        state = "RUNNING" if self.polls <= self.running else "SUCCEEDED"
        return {"QueryExecution": {"QueryExecutionId": QueryExecutionId, "Status": {"State": state}}}


class RecordingStop(threading.Event):
    """Records each wait's timeout and returns at once."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return False


def test_the_runner_waits_a_poll_interval_between_polls_and_none_after_the_last() -> None:
    athena, stop = RunningThenDone(running=4), RecordingStop()
    finished = QueryRunner(athena, CONFIG, logging.getLogger("test"), stop=stop).run("SELECT 1")
    assert finished.query_id == "q1" and athena.polls == 5
    # Alone, the query is polled at the fastest rate, whatever the configured Concurrent Queries.
    assert CONFIG.max_concurrent_queries / POLL_CALLS_PER_S > POLL_FAST_S
    assert stop.waits == [pytest.approx(POLL_FAST_S)] * 4


def test_a_query_polls_less_often_while_others_run_so_all_polls_stay_within_the_rate_cap() -> None:
    athena, stop = RunningThenDone(running=2), RecordingStop()
    runner = QueryRunner(athena, CONFIG, logging.getLogger("test"), stop=stop)
    for other in ("q2", "q3", "q4"):
        runner.active.add(other, "another slice")
    runner.run("SELECT 1")
    assert stop.waits == [pytest.approx(4 / POLL_CALLS_PER_S)] * 2
