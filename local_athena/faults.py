"""Fault injection switched on by tests: API errors, forced query outcomes, delays, latency.

Why: the connector's retry, timeout and error-message paths can only be tested against failures that look
exactly like AWS's; this module decides *when* to fail, ``wsgi.py`` renders the failure on the wire.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


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


@dataclass
class QueryRule:
    """A forced query outcome for SQL containing ``sql_contains``."""

    kind: str  # "fail" | "cancel" | "delay"
    sql_contains: str
    count: int | None
    retryable: bool = False
    error_type: str = "INTERNAL_ERROR"
    seconds: float = 0.0


class Faults:
    """Thread-safe registry of active faults; ``rate`` draws come from a seeded generator (deterministic)."""

    def __init__(self, seed: int = 1234) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)
        self._errors: list[ErrorRule] = []
        self._queries: list[QueryRule] = []
        self._latency: dict[str, float] = {}

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
    ) -> None:
        """Answer ``operation`` with AWS error ``code`` (every time, ``count`` times, or with probability ``rate``)."""
        with self._lock:
            self._errors.append(ErrorRule(operation, code, rate, count, status, message, reason))

    def fail_query(
        self, sql_contains: str, *, retryable: bool = False, count: int = 1, error_type: str = "INTERNAL_ERROR"
    ) -> None:
        """The next ``count`` queries whose SQL contains the text end FAILED."""
        with self._lock:
            self._queries.append(QueryRule("fail", sql_contains, count, retryable, error_type))

    def cancel_query(self, sql_contains: str, count: int = 1) -> None:
        """The next ``count`` matching queries end CANCELLED."""
        with self._lock:
            self._queries.append(QueryRule("cancel", sql_contains, count))

    def delay_query(self, sql_contains: str, seconds: float, count: int | None = None) -> None:
        """Matching queries stay RUNNING ``seconds`` before executing (StopQueryExecution still cancels them)."""
        with self._lock:
            self._queries.append(QueryRule("delay", sql_contains, count, seconds=seconds))

    def latency(self, operation: str, seconds: float) -> None:
        """Every call of ``operation`` waits ``seconds`` before being served."""
        with self._lock:
            self._latency[operation] = seconds

    def clear(self) -> None:
        """Remove every fault and reseed the generator."""
        with self._lock:
            self._errors.clear()
            self._queries.clear()
            self._latency.clear()
            self._rng = random.Random(self._seed)

    # --- used by the server ---------------------------------------------------------------------------
    def take_error(self, operation: str) -> ErrorRule | None:
        """The error to answer this call with, if any (consumes one ``count``)."""
        with self._lock:
            for rule in self._errors:
                if rule.operation != operation:
                    continue
                if rule.count is not None and rule.count <= 0:
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    def latency_for(self, operation: str) -> float:
        """Injected latency for the operation (0 when none)."""
        with self._lock:
            return self._latency.get(operation, 0.0)

    def take_query_rules(self, sql: str) -> list[QueryRule]:
        """The query rules that apply to this SQL (consuming counts)."""
        out = []
        with self._lock:
            for rule in self._queries:
                if rule.sql_contains not in sql or (rule.count is not None and rule.count <= 0):
                    continue
                if rule.count is not None:
                    rule.count -= 1
                out.append(rule)
        return out
