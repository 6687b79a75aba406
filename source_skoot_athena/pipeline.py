"""Run an iterator ahead in a thread, so fetching and encoding overlap with writing to stdout.

pyarrow's decoding and compute kernels release the GIL, so on two cores the next batch is downloaded, decoded and
encoded while the current one is written. The queue is bounded: at most `depth` items wait in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _End:
    """Marks the end of the items (or carries the producer's exception)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class RunAhead(Generic[T]):
    """Iterates `items` in a daemon thread; the consumer gets the same items, in order, and the same exception."""

    def __init__(self, items: Iterator[T], depth: int = 2) -> None:
        self._items = items
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="run-ahead", daemon=True)
        self._thread.start()

    def _put(self, item: T | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it in its own thread
            self._put(_End(exc))
            return
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's own clean-up (temp files, pools) runs now, on the thread that ran it
        self._put(_End())

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                item = self._queue.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop the producer (it finishes the item in hand) and wait for it."""
        self._stop.set()
        self._thread.join(timeout=30)
