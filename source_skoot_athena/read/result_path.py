"""The result side of a read — pyarrow, the result readers and the record encoder, ≈0.3 s of imports here — loaded
on a thread once the first query is submitted, so Athena's work hides it (issue 17: start-up until the first
query plus query done until the first record ≤ 0.5 s). Planning and submitting a query need none of it.
"""

from __future__ import annotations

import threading
from typing import Any


def load_result_path() -> None:
    """pyarrow with the process's allocator settings (memory.py), then every module that reads results."""
    from source_skoot_athena.memory import release_memory_promptly

    release_memory_promptly()  # before any result is decoded: pyarrow's system pool, glibc's trim thresholds
    import source_skoot_athena.encoding
    import source_skoot_athena.read.result_source  # noqa: F401


class ResultPath:
    """Loads the result side once: `start` on a thread (when the first query is submitted), `ready` waits for it
    (before the first result is read; loads it on the caller's thread if nothing started it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=load_result_path, name="result-path", daemon=True)
                self._thread.start()

    def on_started(self, **_event: Any) -> None:
        """A botocore event handler: start loading (the event's arguments are not needed)."""
        self.start()

    def ready(self) -> None:
        self.start()
        assert self._thread is not None
        self._thread.join()
