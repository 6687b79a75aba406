"""Signs of life while a read waits on Athena: a heartbeat the platform counts, and progress lines people read.

While an Athena query runs, no RECORD or STATE flows; in its legacy heartbeat mode the Airbyte platform counts
only those two message types and fails a source that stays silent longer than the connector's
`maxSecondsBetweenMessages` (Airbyte docs: docs/platform/understanding-airbyte/heartbeats.md). So every
`heartbeat_interval()` seconds of waiting the read re-emits the stream's last STATE (a no-op for the platform's
saved state) and logs each running query with its bytes scanned so far; the same tick logs, per stream, the
slices done, rows, bytes scanned and estimated cost so far.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from source_skoot_athena.athena import FinishedQuery, RunningQuery

# Seconds between heartbeats: well under any platform limit, rare enough to keep the log readable. Tests set the
# environment variable to a fraction of a second and delay a query in the stand-in instead of waiting a minute.
DEFAULT_HEARTBEAT_S = 60.0
HEARTBEAT_ENV = "SKOOT_ATHENA_HEARTBEAT_SECONDS"


def heartbeat_interval() -> float:
    """The heartbeat interval: `SKOOT_ATHENA_HEARTBEAT_SECONDS` if it is a positive number, else 60 s."""
    try:
        seconds = float(os.environ.get(HEARTBEAT_ENV, ""))
    except ValueError:
        return DEFAULT_HEARTBEAT_S
    return seconds if seconds > 0 else DEFAULT_HEARTBEAT_S


class Ticker:
    """A steady tick: `due()` is True at most once per interval; `seconds_left()` is how long to wait for it."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._next = clock() + interval

    def seconds_left(self) -> float:
        return max(0.0, self._next - self._clock())

    def due(self) -> bool:
        now = self._clock()
        if now < self._next:
            return False
        self._next = now + self._interval
        return True


@dataclass
class StreamProgress:
    """One stream's totals so far: what a progress line shows."""

    slices_total: int = 0
    slices_done: int = 0
    rows: int = 0
    scanned_bytes: int = 0
    cost_usd: float = 0.0

    def add_slice(self, rows: int, finished: FinishedQuery) -> None:
        self.slices_done += 1
        self.rows += rows
        self.scanned_bytes += finished.data_scanned_bytes
        self.cost_usd += finished.cost_usd  # per query: Athena bills each query's 10 MB minimum

    def line(self, label: str, rows_of_current_slice: int = 0) -> str:
        """The progress line; rows include those already written of the slice being written."""
        return (
            f"{label} progress: {self.slices_done}/{self.slices_total} slices, {self.rows + rows_of_current_slice} rows, "
            f"{self.scanned_bytes} bytes scanned, estimated cost ${self.cost_usd:.6f} so far."
        )


def still_running_line(query: RunningQuery, now: float) -> str:
    """The log line for a query that is still running (bytes from GetQueryExecution's running statistics)."""
    return (
        f"still running: query {query.query_id} ({query.purpose}), {now - query.started:.0f} s, "
        f"{query.scanned_bytes} bytes scanned so far."
    )
