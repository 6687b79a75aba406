"""The Athena query lifecycle, once: start, poll with backoff, stop on timeout or signal, explain failures.

Every query of the connector (check's trial query, SELECTs, UNLOADs) goes through `QueryRunner.run`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import aws_call, describe_error
from source_skoot_athena.concurrency_limit import AdaptiveLimit
from source_skoot_athena.config import Config
from source_skoot_athena.errors import QueryError
from source_skoot_athena.query_failures import unfinished_query_error
from source_skoot_athena.query_start import QueryStarts
from source_skoot_athena.retry import CONCURRENCY_RETRY, FAILED_QUERY_RETRY, RetryPolicy

TERMINAL_STATES = {"SUCCEEDED", "FAILED", "CANCELLED"}
# Polling: a finished query is seen within 0.025 s for its first 2.5 s (a short query's completion is part of every
# sync's latency, issue 17), then within 1% of its run time (0.1 s at 10 s), at most 1 s. Athena's default quota for
# GetQueryExecution is 100 calls/s per account and Region, burst 200 (Service Quotas, "Per account API call quotas":
# https://docs.aws.amazon.com/athena/latest/ug/service-limits.html); polling spends at most half of it, counted over
# the queries running at the time (not the configured Concurrent Queries: a sync's first query runs alone): one
# query every 0.025 s is 40 calls/s, and with more at once each polls less often (`running / POLL_CALLS_PER_S`: 2
# every 0.04 s, 4 every 0.08 s, 20 every 0.4 s).
POLL_FAST_S = 0.025
POLL_MAX_S = 1.0
POLL_SHARE_OF_RUN_TIME = 0.01
POLL_CALLS_PER_S = 50.0
BYTES_PER_TB = 1024**4
PRICE_PER_TB_USD = 5.0
MIN_BILLED_BYTES = 10 * 1024**2


@dataclass(frozen=True)
class FinishedQuery:
    """What a succeeded query left behind: where its results are and what it cost."""

    query_id: str
    output_location: str | None
    manifest_location: str | None
    data_scanned_bytes: int
    engine_ms: int

    @classmethod
    def from_execution(cls, query_id: str, execution: dict[str, Any]) -> FinishedQuery:
        """GetQueryExecution's `QueryExecution` of a SUCCEEDED query -> FinishedQuery."""
        stats = execution.get("Statistics", {})
        return cls(
            query_id=query_id,
            output_location=execution.get("ResultConfiguration", {}).get("OutputLocation"),
            manifest_location=stats.get("DataManifestLocation"),
            data_scanned_bytes=int(stats.get("DataScannedInBytes", 0) or 0),
            engine_ms=int(stats.get("EngineExecutionTimeInMillis", 0) or 0),
        )

    @property
    def cost_usd(self) -> float:
        return estimated_cost_usd(self.data_scanned_bytes)


def estimated_cost_usd(data_scanned_bytes: int) -> float:
    """Athena's price for a query that scanned this much ($5/TB, 10 MB minimum)."""
    billed = max(data_scanned_bytes, MIN_BILLED_BYTES) if data_scanned_bytes else 0
    return billed / BYTES_PER_TB * PRICE_PER_TB_USD


@dataclass
class RunningQuery:
    """A query while it runs, for the read's heartbeat log: what it is for, since when, bytes scanned so far."""

    query_id: str
    purpose: str
    started: float  # time.monotonic()
    scanned_bytes: int = 0


class RunningQueries:
    """The queries running now (what `stop_all` stops and the heartbeat logs) and how many starts are waiting out
    the account's concurrent query limit (the heartbeat's RATE_LIMITED); shared by the worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: dict[str, RunningQuery] = {}
        self._backing_off = 0

    def add(self, query_id: str, purpose: str) -> None:
        with self._lock:
            self._queries[query_id] = RunningQuery(query_id, purpose, time.monotonic())

    def remove(self, query_id: str) -> None:
        with self._lock:
            self._queries.pop(query_id, None)

    def note_scanned(self, query_id: str, execution: dict[str, Any]) -> None:
        """GetQueryExecution's running statistics: DataScannedInBytes grows while the query runs."""
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0) or 0)
        with self._lock:
            if query_id in self._queries:
                self._queries[query_id].scanned_bytes = scanned

    def count(self) -> int:
        """How many queries run now (at least 1: the caller's own, in the instant before it is added)."""
        with self._lock:
            return max(1, len(self._queries))

    def snapshot(self) -> list[RunningQuery]:
        with self._lock:
            return [replace(query) for query in self._queries.values()]

    @contextlib.contextmanager
    def backing_off(self) -> Iterator[None]:
        with self._lock:
            self._backing_off += 1
        try:
            yield
        finally:
            with self._lock:
                self._backing_off -= 1

    @property
    def rate_limited(self) -> bool:
        """True while a start waits because the account's concurrent query limit is reached."""
        with self._lock:
            return self._backing_off > 0


def poll_interval(elapsed_s: float, running_queries: int) -> float:
    """Seconds until the next GetQueryExecution of a query that has run `elapsed_s` while `running_queries` (itself
    included) run (see POLL_* above)."""
    floor = max(POLL_FAST_S, running_queries / POLL_CALLS_PER_S)
    return min(POLL_MAX_S, max(floor, elapsed_s * POLL_SHARE_OF_RUN_TIME))


def request_token(run_id: str, attempt: int, sql: str) -> str:
    """StartQueryExecution's ClientRequestToken: a start that botocore retries is idempotent, while a later run (new
    run id) or a retry of a failed query (new attempt) really runs again instead of returning an old result."""
    return hashlib.sha256(f"{run_id}:{attempt}:{sql}".encode()).hexdigest()


def first_value(athena: Any, query_id: str) -> str | None:
    """Athena's text of a finished query's first value (GetQueryResults' page 1: the header row, then the row)."""
    with aws_call("athena:GetQueryResults", what=f"query {query_id}"):
        rows = athena.get_query_results(QueryExecutionId=query_id, MaxResults=2)["ResultSet"]["Rows"]
    if len(rows) < 2 or not rows[1].get("Data"):
        return None
    value = rows[1]["Data"][0].get("VarCharValue")
    return None if value is None else str(value)


class QueryRunner:
    """Runs queries in one workgroup and catalog; remembers the running ones so a signal can stop them.

    `stop` (default: a new Event) is what `stop_all` sets and what every wait (poll, retry backoff) waits on;
    `rng` draws the retry jitter. Both are parameters so tests can record the waits and seed the jitter.
    `starts` (default: `athena`) is the client for StartQueryExecution: aws.py's `athena_starts`, which leaves a
    refusal for the account's concurrent query limit to the connector's own loop (query_start.py).
    """

    def __init__(
        self,
        athena: Any,
        config: Config,
        logger: logging.Logger,
        *,
        starts: Any = None,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
        failed_retry: RetryPolicy = FAILED_QUERY_RETRY,
        concurrency_retry: RetryPolicy = CONCURRENCY_RETRY,
    ) -> None:
        self._athena = athena
        self._config = config
        self._logger = logger
        self._run_id = uuid.uuid4().hex
        self.active = RunningQueries()
        self._stopping = stop if stop is not None else threading.Event()
        self._rng = rng if rng is not None else random.Random()
        self._failed_retry = failed_retry
        self.limit = AdaptiveLimit(config.max_concurrent_queries, self._stopping)
        self._starts = QueryStarts(
            starts if starts is not None else athena,
            self.limit,
            workgroup=config.workgroup,
            logger=logger,
            stop=self._stopping,
            rng=self._rng,
            policy=concurrency_retry,
            backing_off=self.active.backing_off,
        )

    # -- one query ----------------------------------------------------------------------------------------------
    def run(
        self,
        sql: str | Callable[[int], str],
        *,
        database: str | None = None,
        purpose: str = "query",
        cancel: threading.Event | None = None,
    ) -> FinishedQuery:
        """Run `sql` to completion; retry a FAILED query Athena marks retryable; raise QueryError otherwise.
        `sql` may be a function of the attempt number (an UNLOAD retried to a fresh prefix)."""
        policy = self._failed_retry
        for attempt in itertools.count(1):
            try:
                with self.limit:
                    text = sql(attempt) if callable(sql) else sql
                    return self._run_once(text, database=database, attempt=attempt, cancel=cancel, purpose=purpose)
            except QueryError as exc:
                if not exc.retryable or policy.gives_up_after(attempt) or self._stopping.is_set():
                    raise
                delay = policy.delay(attempt, self._rng)
                self._logger.warning(f"Athena {purpose} failed with a retryable error; retrying in {delay:.1f}s: {exc}")
                self._stopping.wait(delay)  # a stop ends the wait; the next attempt then reports the interruption
        raise AssertionError("unreachable")

    def scalar(self, sql: str, *, purpose: str = "query") -> str | None:
        """Run a one-value query (e.g. `SELECT max(cursor)`) and return Athena's text of it (None for NULL/no row)."""
        return first_value(self._athena, self.run(sql, purpose=purpose).query_id)

    def _start(self, sql: str, *, database: str | None, attempt: int, purpose: str) -> str:
        params: dict[str, Any] = {
            "QueryString": sql,
            "WorkGroup": self._config.workgroup,
            "ClientRequestToken": request_token(self._run_id, attempt, sql),
            "QueryExecutionContext": {"Catalog": self._config.catalog},
        }
        if database:
            params["QueryExecutionContext"]["Database"] = database
        query_id = self._starts.start(params)
        self.active.add(query_id, purpose)
        return query_id

    def _run_once(
        self, sql: str, *, database: str | None, attempt: int, cancel: threading.Event | None, purpose: str
    ) -> FinishedQuery:
        if self._stopping.is_set() or (cancel is not None and cancel.is_set()):
            raise QueryError("The query was not started: the sync is being stopped.", kind="interrupted")
        query_id = self._start(sql, database=database, attempt=attempt, purpose=purpose)
        try:
            execution = self._wait(query_id, cancel)
        finally:
            self.active.remove(query_id)
            self.limit.ended()
        if execution["Status"]["State"] == "SUCCEEDED":
            return FinishedQuery.from_execution(query_id, execution)
        raise unfinished_query_error(query_id, execution)

    def _wait(self, query_id: str, cancel: threading.Event | None = None) -> dict[str, Any]:
        """Poll until a terminal state; past the Query Timeout (or on a signal) stop the query and say so."""
        started = time.monotonic()
        deadline = started + self._config.query_timeout_ms / 1000
        while True:
            with aws_call("athena:GetQueryExecution", what=f"query {query_id}"):
                execution: dict[str, Any] = self._athena.get_query_execution(QueryExecutionId=query_id)[
                    "QueryExecution"
                ]
            if execution["Status"]["State"] in TERMINAL_STATES:
                return execution
            self.active.note_scanned(query_id, execution)
            if self._stopping.is_set() or (cancel is not None and cancel.is_set()):
                self.stop(query_id)
                raise QueryError(
                    f"Athena query {query_id} was stopped because the sync was interrupted.", kind="interrupted"
                )
            now = time.monotonic()
            if now >= deadline:
                stopped = "was stopped" if self.stop(query_id) else "could not be stopped (see the warning above)"
                raise QueryError(
                    f"Athena query {query_id} did not finish within the Query Timeout (ms) of "
                    f"{self._config.query_timeout_ms} ms and {stopped} (StopQueryExecution). Raise the "
                    "connection's Query Timeout (ms) or narrow the stream's columns.",
                    kind="timeout",
                )
            delay = poll_interval(now - started, self.active.count())
            self._stopping.wait(min(delay, max(0.0, deadline - now)))

    # -- stopping -----------------------------------------------------------------------------------------------
    def stop(self, query_id: str) -> bool:
        """StopQueryExecution, best effort: a stop that fails is logged (False), never raised over the real error."""
        try:
            self._athena.stop_query_execution(QueryExecutionId=query_id)
            self._logger.info(f"Stopped Athena query {query_id}.")
            return True
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            self._logger.warning(
                f"Could not stop Athena query {query_id}: {describe_error(exc, 'athena:StopQueryExecution')}"
            )
            return False

    def stop_all(self) -> None:
        """Stop every running query (SIGTERM/SIGINT): no query is left running, and billing, after we exit."""
        self._stopping.set()
        self.limit.wake()
        running = [query.query_id for query in self.active.snapshot()]
        for query_id in running:
            self.stop(query_id)
