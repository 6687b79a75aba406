"""QueryRunner's own retry loops and stops, against a fake Athena client.

The fake implements the three calls the runner makes (start/get/stop_query_execution) and plays a script; the
stop Event records each wait instead of sleeping, so backoff waits are asserted by value and a stop "during" a
wait is the Event being set from inside it — no threads, no clock.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError, QueryError
from source_skoot_athena.retry import CONCURRENCY_RETRY, FAILED_QUERY_RETRY, RetryPolicy

LOGGER = logging.getLogger("test_query_runner")
CONFIG = Config("Test", "ap-south-1", "AKIAIOSFODNN7EXAMPLE", "secret", "primary", "AwsDataCatalog", 60000)
BUSY = "TooManyRequestsException"


class FakeAthena:
    """start/get/stop_query_execution playing a script.

    `busy`: how many starts are refused with TooManyRequestsException before they are accepted.
    `states`: the terminal state of each started query, in order (the last one repeats); "RUNNING" never ends.
    """

    def __init__(self, *, busy: int = 0, states: list[str] | None = None, retryable: bool = True) -> None:
        self.busy = busy
        self.states = states or ["SUCCEEDED"]
        self.retryable = retryable
        self.starts: list[dict[str, Any]] = []
        self.started: list[str] = []
        self.stopped: list[str] = []

    def start_query_execution(self, **params: Any) -> dict[str, Any]:
        self.starts.append(params)
        if self.busy:
            self.busy -= 1
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": BUSY, "Message": "Too many queries"}}, "StartQueryExecution"
            )
        query_id = f"q{len(self.started) + 1}"
        self.started.append(query_id)
        return {"QueryExecutionId": query_id}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        index = self.started.index(QueryExecutionId)
        state = self.states[min(index, len(self.states) - 1)]
        status: dict[str, Any] = {"State": state}
        if state == "FAILED":
            status["StateChangeReason"] = "S3 was slow"
            status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1001, "Retryable": self.retryable}
        return {"QueryExecution": {"QueryExecutionId": QueryExecutionId, "Status": status, "Statistics": {}}}

    def stop_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.stopped.append(QueryExecutionId)
        return {}


class RecordingStop(threading.Event):
    """The runner's stop Event: each wait is recorded and returns at once (True if the Event is set by then)."""

    def __init__(self, during_wait: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.waits: list[float | None] = []
        self.during_wait = during_wait

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if self.during_wait is not None:
            self.during_wait()
        return self.is_set()


def runner_for(athena: FakeAthena, stop: RecordingStop, **policies: RetryPolicy) -> QueryRunner:
    return QueryRunner(athena, CONFIG, LOGGER, stop=stop, rng=random.Random(7), **policies)


def tokens(athena: FakeAthena) -> list[str]:
    return [params["ClientRequestToken"] for params in athena.starts]


def within_policy(waits: list[float | None], policy: RetryPolicy) -> bool:
    """Wait n (1-based) lies in [low, high] x min(cap, base * 2**n)."""
    low, high = policy.jitter
    return all(
        wait is not None
        and low * min(policy.cap_s, policy.base_s * 2**n) <= wait <= high * min(policy.cap_s, policy.base_s * 2**n)
        for n, wait in enumerate(waits, start=1)
    )


# --- the concurrency-limit loop -------------------------------------------------------------------------------
def test_refused_start_is_retried_with_backoff_the_same_token_and_fewer_queries_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    athena, stop = FakeAthena(busy=2), RecordingStop()
    runner = runner_for(athena, stop)
    limits: list[int] = []
    stop.during_wait = lambda: limits.append(runner.limit.limit)
    with caplog.at_level(logging.INFO, LOGGER.name):
        finished = runner.run("SELECT 1")
    assert finished.query_id == "q1" and len(athena.starts) == 3
    assert len(set(tokens(athena))) == 1, "one attempt's starts share its idempotency token"
    assert len(stop.waits) == 2 and within_policy(stop.waits, CONCURRENCY_RETRY)
    assert limits == [1, 1], "nothing of ours was running when refused: one query at a time"
    assert runner.limit.limit == 2, "the accepted start filled the limit of 1: raised by one"
    lowered = [r.message for r in caplog.records if "running at most 1 queries at once" in r.message]
    raised = [r.message for r in caplog.records if "running up to 2 queries at once" in r.message]
    assert len(lowered) == 2 and len(raised) == 1, caplog.text


def test_a_refusal_under_an_earlier_limit_lowers_nothing_and_is_not_logged_as_a_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    athena, stop = FakeAthena(busy=1), RecordingStop()
    runner = runner_for(athena, stop)
    for _ in range(2):
        runner.limit.started()  # two queries of other threads run
    lowered_meanwhile: list[int | None] = []

    def refused_too(**params: Any) -> dict[str, Any]:
        if not athena.starts:  # while this start is on its way, another thread's start (sent as early) is refused
            lowered_meanwhile.append(runner.limit.refused(runner.limit.ticket()))
        return FakeAthena.start_query_execution(athena, **params)

    athena.start_query_execution = refused_too  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, LOGGER.name):
        runner.run("SELECT 1")
    assert len(athena.starts) == 2 and len(stop.waits) == 1
    assert lowered_meanwhile == [2] and runner.limit.limit == 2, "one congestion event lowers the limit once"
    assert "concurrent query limit was reached" not in caplog.text


def test_a_refused_start_holds_no_slot_while_it_waits() -> None:
    athena, stop = FakeAthena(busy=1), RecordingStop()
    runner = runner_for(athena, stop)
    free_during_wait: list[bool] = []

    def take_a_slot() -> None:
        with runner.limit:
            pass

    def another_query() -> None:
        other = threading.Thread(target=take_a_slot)
        other.start()
        other.join(30)  # the lowered limit is 1: it gets in only if the refused start gave its slot back
        free_during_wait.append(not other.is_alive())

    stop.during_wait = another_query
    assert runner.run("SELECT 1").query_id == "q1"
    assert free_during_wait == [True]


def test_starts_go_to_the_starts_client_and_everything_else_to_the_other() -> None:
    athena, starts, stop = FakeAthena(), FakeAthena(), RecordingStop()
    runner = QueryRunner(athena, CONFIG, LOGGER, stop=stop, starts=starts)
    athena.started = starts.started  # the polls find the query the starts client started
    assert runner.run("SELECT 1").query_id == "q1"
    assert len(starts.starts) == 1 and athena.starts == []


def test_refused_start_gives_up_after_the_policys_attempts() -> None:
    athena, stop = FakeAthena(busy=100), RecordingStop()
    with pytest.raises(AwsCallError, match=BUSY) as caught:
        runner_for(athena, stop).run("SELECT 1")
    assert caught.value.code == BUSY
    assert len(athena.starts) == CONCURRENCY_RETRY.attempts and len(stop.waits) == CONCURRENCY_RETRY.attempts - 1
    assert within_policy(stop.waits, CONCURRENCY_RETRY)


def test_a_stop_during_the_concurrency_wait_ends_it_and_starts_nothing_more() -> None:
    athena = FakeAthena(busy=100)
    stop = RecordingStop()
    runner = runner_for(athena, stop)
    stop.during_wait = runner.stop_all
    with pytest.raises(QueryError) as caught:
        runner.run("SELECT 1")
    assert caught.value.kind == "interrupted"
    assert len(athena.starts) == 1 and len(stop.waits) == 1


# --- the retryable-FAILED loop ---------------------------------------------------------------------------------
def test_retryable_failed_query_runs_again_as_a_new_execution_with_a_new_token() -> None:
    athena, stop = FakeAthena(states=["FAILED", "FAILED", "SUCCEEDED"]), RecordingStop()
    finished = runner_for(athena, stop).run("SELECT 1")
    assert finished.query_id == "q3" and athena.started == ["q1", "q2", "q3"]
    assert len(set(tokens(athena))) == 3, "each attempt has its own idempotency token"
    assert len(stop.waits) == 2 and within_policy(stop.waits, FAILED_QUERY_RETRY)


def test_retryable_failure_gives_up_after_the_policys_attempts() -> None:
    athena, stop = FakeAthena(states=["FAILED"]), RecordingStop()
    with pytest.raises(QueryError, match="S3 was slow") as caught:
        runner_for(athena, stop).run("SELECT 1")
    assert caught.value.retryable and caught.value.kind == "failed"
    assert len(athena.started) == FAILED_QUERY_RETRY.attempts
    assert len(stop.waits) == FAILED_QUERY_RETRY.attempts - 1


def test_a_failure_athena_does_not_mark_retryable_is_not_retried() -> None:
    athena, stop = FakeAthena(states=["FAILED"], retryable=False), RecordingStop()
    with pytest.raises(QueryError, match="S3 was slow"):
        runner_for(athena, stop).run("SELECT 1")
    assert athena.started == ["q1"] and stop.waits == []


def test_a_stop_during_the_failed_query_wait_starts_no_new_execution() -> None:
    athena = FakeAthena(states=["FAILED", "SUCCEEDED"])
    stop = RecordingStop()
    runner = runner_for(athena, stop)
    stop.during_wait = runner.stop_all
    with pytest.raises(QueryError) as caught:
        runner.run("SELECT 1")
    assert caught.value.kind == "interrupted" and athena.started == ["q1"]


def test_a_policy_of_one_attempt_never_waits() -> None:
    athena, stop = FakeAthena(states=["FAILED"]), RecordingStop()
    once = RetryPolicy(attempts=1, base_s=1.0, cap_s=1.0)
    with pytest.raises(QueryError):
        runner_for(athena, stop, failed_retry=once).run("SELECT 1")
    assert athena.started == ["q1"] and stop.waits == []


# --- tokens, polling, stopping -----------------------------------------------------------------------------------
def test_a_new_run_of_the_same_sql_gets_a_new_token() -> None:
    first, second = FakeAthena(), FakeAthena()
    runner_for(first, RecordingStop()).run("SELECT 1")
    runner_for(second, RecordingStop()).run("SELECT 1")
    assert tokens(first) != tokens(second), "a later sync really runs again instead of returning an old result"


def test_a_stop_while_polling_stops_the_running_query() -> None:
    athena = FakeAthena(states=["RUNNING"])
    stop = RecordingStop()
    runner = runner_for(athena, stop)
    stop.during_wait = runner.stop_all
    with pytest.raises(QueryError) as caught:
        runner.run("SELECT 1")
    assert caught.value.kind == "interrupted" and athena.stopped.count("q1") >= 1
    assert len(athena.starts) == 1


# --- the policy itself ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", [CONCURRENCY_RETRY, FAILED_QUERY_RETRY], ids=["concurrency", "failed-query"])
def test_delays_grow_exponentially_within_the_jitter_and_stop_at_the_cap(policy: RetryPolicy) -> None:
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(1, 12)]
    assert within_policy(list(delays), policy)
    assert max(delays) <= policy.cap_s * policy.jitter[1]
    exact = RetryPolicy(policy.attempts, policy.base_s, policy.cap_s, jitter=(1.0, 1.0))
    assert [exact.delay(n, rng) for n in (1, 2, 11)] == [
        policy.base_s * 2,
        policy.base_s * 4,
        policy.cap_s,
    ]


def test_gives_up_after_exactly_the_last_attempt() -> None:
    policy = RetryPolicy(attempts=3, base_s=1.0, cap_s=4.0)
    assert [policy.gives_up_after(n) for n in (1, 2, 3)] == [False, False, True]
