"""Python's cyclic garbage collector, paused while `read` starts up and resumed once Athena has its first query.

Why: start-up builds a few hundred thousand long-lived objects (modules, botocore's service models parsed from
JSON) and no garbage, yet the collector runs over that growing heap again and again: ≈ 0.04–0.05 s of the
≈ 0.35 s of CPU before the first query here (issue 17, docs/benchmarks.md). Reference counting still frees every
object that is not in a cycle; cycles wait until the collector is back. Python documents turning it off this way
(https://docs.python.org/3/library/gc.html#gc.disable).
"""

from __future__ import annotations

import gc
import threading


class CollectorPause:
    """Turns the collector off and back on, once; leaves it alone if something else had already turned it off."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused = False

    def pause(self) -> None:
        with self._lock:
            if gc.isenabled():
                gc.disable()
                self._paused = True

    def resume(self) -> None:
        """Back on if `pause` turned it off; any later call does nothing."""
        with self._lock:
            if self._paused:
                gc.enable()
                self._paused = False

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused


# The process's one pause: the entrypoint starts it for `read`, the read ends it (read/startup.py, read_command.py).
STARTUP = CollectorPause()
