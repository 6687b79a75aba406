"""How many queries run at once: Athena's concurrent query limit lowers it, successful starts raise it again.

Athena counts every queued and running query of the account and Region against one "Active DML queries" quota,
shared by every workgroup and user, and refuses a start over it with TooManyRequestsException, reason
CONCURRENT_QUERY_LIMIT_EXCEEDED (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html). The connector
cannot read how much of the quota is left, so it learns it as TCP learns a path's capacity (RFC 5681, additive
increase / multiplicative decrease): a refusal is a congestion event and lowers the limit to the queries that were
actually running when it came (what the quota held for us); `limit` starts that each filled the limit raise it by
one again, up to the configured maximum. Starts issued before a lowering were sent under the old limit, so their
refusals belong to the same event and lower nothing more.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class StartTicket:
    """Taken just before a StartQueryExecution: which congestion event's limit the start was sent under."""

    generation: int


class AdaptiveLimit:
    """Slots for queries (a start in flight or a query running), at most `limit` taken; `limit` moves between 1 and
    `maximum` as the module docstring says. Shared by the worker threads; `wake` ends every wait (a stop)."""

    def __init__(self, maximum: int, stop: threading.Event | None = None) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self._stop = stop if stop is not None else threading.Event()
        self._taken = 0  # slots taken: starts in flight and running queries
        self._running = 0  # queries Athena accepted that have not ended
        self._generation = 0  # one more at each lowering (congestion event)
        self._filled = 0  # starts that filled the current limit since it last changed
        self._condition = threading.Condition()

    # -- slots ----------------------------------------------------------------------------------------------------
    def __enter__(self) -> AdaptiveLimit:
        self._take()
        return self

    def __exit__(self, *_: object) -> None:
        self._give_back()

    def _take(self) -> None:
        """Wait for a free slot (a stop ends the wait: the caller then starts nothing and gives the slot back)."""
        with self._condition:
            while self._taken >= self.limit and not self._stop.is_set():
                self._condition.wait()
            self._taken += 1

    def _give_back(self) -> None:
        with self._condition:
            self._taken -= 1
            self._condition.notify_all()

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """The caller's slot given back while a refused start waits to retry, and taken again (under the limit as it
        is then) before the retry: a refused start does not keep a slot the lowered limit no longer has."""
        self._give_back()
        try:
            yield
        finally:
            self._take()

    def wake(self) -> None:
        """End every wait for a slot (the stop Event is set)."""
        with self._condition:
            self._condition.notify_all()

    # -- what Athena answered -------------------------------------------------------------------------------------
    def ticket(self) -> StartTicket:
        with self._condition:
            return StartTicket(self._generation)

    def started(self) -> int | None:
        """A start was accepted. The new limit if this start raised it, else None."""
        with self._condition:
            self._running += 1
            if self._running < self.limit or self.limit >= self.maximum:
                return None  # only a start that fills the limit shows the quota holds that many
            self._filled += 1
            if self._filled < self.limit:
                return None
            self._change(self.limit + 1)
            return self.limit

    def ended(self) -> None:
        """A started query ended (whatever its state)."""
        with self._condition:
            self._running -= 1

    def refused(self, ticket: StartTicket) -> int | None:
        """A start was refused for the account's concurrent query limit. The new limit if this refusal lowered it
        (the first refusal of a start sent under the current limit), else None."""
        with self._condition:
            if ticket.generation != self._generation:
                return None
            self._generation += 1
            self._change(max(1, min(self.limit - 1, self._running)))
            return self.limit

    @property
    def running(self) -> int:
        with self._condition:
            return self._running

    def _change(self, limit: int) -> None:
        """Under the condition's lock."""
        self.limit = limit
        self._filled = 0
        self._condition.notify_all()
