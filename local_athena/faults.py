"""Fault injection switched on by tests: API errors, forced query outcomes, delays, latency.

Why: the connector's retry, timeout and error-message paths can only be tested against failures that look
exactly like AWS's; this module decides *when* to fail, ``wsgi.py`` renders the failure on the wire. Each rule
draws from its own generator, seeded from the stand-in's seed and the rule's place and target, so a rule's
sequence of outcomes does not depend on what other rules or threads drew; each rule counts how often it fired,
so a test can prove its faults happened.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ErrorRule:
    """An injected API error for one operation (``"athena:GetQueryExecution"``, ``"s3:GetObject"``…)."""

    operation: str
    code: str
    rate: float | None
    count: int | None
    status: int
    message: str
    reason: str | None
    rng: random.Random = field(repr=False, compare=False, default_factory=random.Random)
    fired: int = 0
    after: int = 0  # calls answered normally before the rule starts (e.g. a GetObject's footer, then its parts)

    def take(self) -> bool:
        """Whether this call fails (consumes one ``count``); the caller holds the registry's lock."""
        if self.after > 0:
            self.after -= 1
            return False
        if self.count is not None and self.count <= 0:
            return False
        if self.rate is not None and self.rng.random() >= self.rate:
            return False
        if self.count is not None:
            self.count -= 1
        self.fired += 1
        return True


@dataclass
class QueryRule:
    """A forced query outcome for SQL containing ``sql_contains``."""

    kind: str  # "fail" | "cancel" | "delay" | "hold"
    sql_contains: str
    count: int | None
    retryable: bool = False
    error_type: str = "INTERNAL_ERROR"
    seconds: float = 0.0
    until: Callable[[], bool] | None = None  # "hold": stays RUNNING until this is true (or `seconds` pass)
    fired: int = 0
    partial_output: bool = False  # a failed or stopped UNLOAD leaves a partial file under its target

    def take(self, sql: str) -> bool:
        """Whether this rule applies to the query (consumes one ``count``); the caller holds the lock."""
        if self.sql_contains not in sql or (self.count is not None and self.count <= 0):
            return False
        if self.count is not None:
            self.count -= 1
        self.fired += 1
        return True


@dataclass
class LatencyRule:
    """Every call of ``operation`` waits ``seconds`` before being served."""

    operation: str
    seconds: float
    fired: int = 0


@dataclass
class StreamRate:
    """Response bodies of ``operation`` are sent at most ``bytes_per_second`` each (``sent`` counts their bytes).

    Why: S3 serves one GET stream at roughly 85-90 MB/s ("Performance guidelines for Amazon S3": "make one
    concurrent request for each 85–90 MB/s of desired network throughput",
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance-guidelines.html); the stand-in
    serves a local socket at GB/s, where fetching a 120 MB file whole costs 0.1 s instead of 1-2 s. A benchmark
    of how S3 reads overlap decoding needs S3's per-stream rate; tests leave it off.
    """

    operation: str
    bytes_per_second: float
    sent: int = 0


@dataclass
class RangeHold:
    """Calls of ``operation`` whose byte range starts at or after ``from_byte`` wait until ``release`` is set.

    Why: a test of a reader that fetches ranges on demand must see what it did *before* the later ranges
    arrived, without timing: the held GETs are answered only when the test says so. S3 serves each ranged GET on
    its own (GetObject "Range", RFC 9110 §14.1.2), so holding some ranges and not others is a state S3 can be in.
    """

    operation: str
    from_byte: int
    seconds: float
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)  # set once a call is being held
    held: int = 0

    def applies(self, operation: str, range_header: str) -> bool:
        """Whether this call is held: a ``bytes=a-…`` range with a >= ``from_byte`` (suffix ranges never are)."""
        if operation != self.operation or not range_header.startswith("bytes="):
            return False
        first = range_header[len("bytes=") :].split("-", 1)[0]
        return first.isdigit() and int(first) >= self.from_byte


class Faults:
    """Thread-safe registry of active faults. Registering returns the rule, whose ``fired`` counts its uses."""

    def __init__(self, seed: int = 1234) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._errors: list[ErrorRule] = []
        self._queries: list[QueryRule] = []
        self._latency: dict[str, LatencyRule] = {}
        self._holds: list[RangeHold] = []
        self._rates: dict[str, StreamRate] = {}

    def error(
        self,
        operation: str,
        code: str,
        *,
        rate: float | None = None,
        count: int | None = None,
        status: int = 400,
        message: str = "injected",
        reason: str | None = None,
        after: int = 0,
    ) -> ErrorRule:
        """Answer ``operation`` with AWS error ``code`` (every time, ``count`` times, or with probability ``rate``),
        once ``after`` calls of it have been answered normally."""
        with self._lock:
            rng = random.Random(f"{self._seed}/{len(self._errors)}/{operation}/{code}")
            rule = ErrorRule(operation, code, rate, count, status, message, reason, rng, after=after)
            self._errors.append(rule)
        return rule

    def fail_query(
        self,
        sql_contains: str,
        *,
        retryable: bool = False,
        count: int = 1,
        error_type: str = "INTERNAL_ERROR",
        partial_output: bool = False,
    ) -> QueryRule:
        """The next ``count`` queries whose SQL contains the text end FAILED (``partial_output``: an UNLOAD leaves
        a partial file under its TO prefix first, as Athena does not delete a failed UNLOAD's files)."""
        rule = QueryRule("fail", sql_contains, count, retryable, error_type, partial_output=partial_output)
        return self._add_query(rule)

    def cancel_query(self, sql_contains: str, count: int = 1) -> QueryRule:
        """The next ``count`` matching queries end CANCELLED."""
        return self._add_query(QueryRule("cancel", sql_contains, count))

    def delay_query(
        self, sql_contains: str, seconds: float, count: int | None = None, *, partial_output: bool = False
    ) -> QueryRule:
        """Matching queries stay RUNNING ``seconds`` before executing (StopQueryExecution still cancels them);
        ``partial_output``: a running UNLOAD has written a file under its TO prefix already, which stays there
        if the query is stopped."""
        return self._add_query(QueryRule("delay", sql_contains, count, seconds=seconds, partial_output=partial_output))

    def hold_query(self, sql_contains: str, until: Callable[[], bool], seconds: float = 60.0) -> QueryRule:
        """Matching queries stay RUNNING until ``until()`` is true (checked every 20 ms; at most ``seconds``): a
        test orders queries by what has happened, not by how long things take."""
        return self._add_query(QueryRule("hold", sql_contains, None, seconds=seconds, until=until))

    def _add_query(self, rule: QueryRule) -> QueryRule:
        with self._lock:
            self._queries.append(rule)
        return rule

    def latency(self, operation: str, seconds: float) -> LatencyRule:
        """Every call of ``operation`` waits ``seconds`` before being served (replaces its earlier latency)."""
        rule = LatencyRule(operation, seconds)
        with self._lock:
            self._latency[operation] = rule
        return rule

    def stream_rate(self, operation: str, bytes_per_second: float) -> StreamRate:
        """Send each response body of ``operation`` at most ``bytes_per_second`` (replaces its earlier rate)."""
        rule = StreamRate(operation, bytes_per_second)
        with self._lock:
            self._rates[operation] = rule
        return rule

    def rate_for(self, operation: str) -> StreamRate | None:
        """The stream rate of this operation's response bodies, if any."""
        with self._lock:
            return self._rates.get(operation)

    def hold_ranges(self, operation: str, from_byte: int, seconds: float = 60.0) -> RangeHold:
        """Ranged calls of ``operation`` (``"s3:GetObject"``) starting at or after ``from_byte`` wait until the
        rule's ``release`` is set (at most ``seconds``); ``held`` counts them."""
        rule = RangeHold(operation, from_byte, seconds)
        with self._lock:
            self._holds.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every fault (rules registered afterwards start their generators afresh); held calls go on."""
        with self._lock:
            for hold in self._holds:
                hold.release.set()
            self._holds.clear()
            self._rates.clear()
            self._errors.clear()
            self._queries.clear()
            self._latency.clear()

    def fired(self) -> dict[str, int]:
        """How often the active rules fired, summed per ``operation`` (errors) or ``kind:sql_contains`` (queries)."""
        out: dict[str, int] = {}
        with self._lock:
            for e in self._errors:
                out[e.operation] = out.get(e.operation, 0) + e.fired
            for q in self._queries:
                key = f"{q.kind}:{q.sql_contains}"
                out[key] = out.get(key, 0) + q.fired
        return out

    # --- used by the server ---------------------------------------------------------------------------
    def take_error(self, operation: str) -> ErrorRule | None:
        """The error to answer this call with, if any (the first rule of the operation that fires)."""
        with self._lock:
            for rule in self._errors:
                if rule.operation == operation and rule.take():
                    return rule
        return None

    def latency_for(self, operation: str) -> float:
        """Injected latency for this call of the operation (0 when none)."""
        with self._lock:
            rule = self._latency.get(operation)
            if rule is None:
                return 0.0
            rule.fired += 1
            return rule.seconds

    def hold_for(self, operation: str, range_header: str) -> RangeHold | None:
        """The hold this call waits on, if any (counted as held)."""
        with self._lock:
            for rule in self._holds:
                if rule.applies(operation, range_header):
                    rule.held += 1
                    rule.arrived.set()
                    return rule
        return None

    def take_query_rules(self, sql: str) -> list[QueryRule]:
        """The query rules that apply to this SQL (consuming counts)."""
        with self._lock:
            return [rule for rule in self._queries if rule.take(sql)]
