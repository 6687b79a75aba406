"""Which query runs when: every stream's planning, then its slices, in catalog order, up to a window of queries ahead.

Up to `max_concurrent_queries` queries — the next slices of this stream, then the first slices of the next streams,
planned in a pool of their own — run ahead of the slice being written (Athena works while we write), while records
and states are written strictly in catalog order, one result at a time, so memory stays bounded by one result file.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Generic, TypeVar

from source_skoot_athena.errors import UserError
from source_skoot_athena.protocol import ConfiguredAirbyteStream, FailureType
from source_skoot_athena.read.progress import StreamProgress
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream_plan import Slice, StreamPlan

if TYPE_CHECKING:  # the encoder imports pyarrow, loaded once the first query runs (result_path.py)
    from source_skoot_athena.encoding import RecordEncoder

T = TypeVar("T")


class Phase(Enum):
    """Where a stream is in its protocol life: each phase's status message is written once, in this order."""

    WAITING = "waiting"  # nothing written yet
    STARTED = "started"  # STARTED (and ESTIMATE) written
    RUNNING = "running"  # RUNNING written with its first records
    FINISHED = "finished"  # COMPLETE, or INCOMPLETE after its error trace: its remaining slices are dropped


def stream_key(configured: ConfiguredAirbyteStream) -> StreamKey:
    return StreamKey(configured.stream.namespace, configured.stream.name)


@dataclass
class StreamRun:
    """One configured stream's progress through the read."""

    configured: ConfiguredAirbyteStream
    saved: StreamState
    plan: StreamPlan | None = None
    error: UserError | None = None
    phase: Phase = Phase.WAITING
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: StreamProgress = field(default_factory=StreamProgress)
    last_state: StreamState | None = None  # the last STATE written this run (None: the saved one stands)
    _encoder: RecordEncoder | None = None

    @property
    def key(self) -> StreamKey:
        return stream_key(self.configured)

    @property
    def latest_state(self) -> StreamState:
        """What a heartbeat re-emits: the last STATE written, or the saved state before the first one."""
        return self.last_state if self.last_state is not None else self.saved

    def encoder(self) -> RecordEncoder:
        """The stream's record encoder, made once its plan (the selected columns) is known."""
        if self._encoder is None:
            from source_skoot_athena.encoding import RecordEncoder

            assert self.plan is not None
            columns = [(c.name, c.type) for c in self.plan.columns]
            self._encoder = RecordEncoder(self.key.name, self.key.namespace, columns)
        return self._encoder

    @property
    def used_encoder(self) -> RecordEncoder | None:
        return self._encoder

    def fail(self, exc: BaseException, logger: logging.Logger) -> None:
        """Record the stream's failure (as a UserError) and stop its queries that are still ahead."""
        self.error = as_user_error(self.key, exc, logger)
        self.cancel.set()


def as_user_error(key: StreamKey, exc: BaseException, logger: logging.Logger) -> UserError:
    """A stream's failure as a UserError; anything else is a bug or an unexpected answer, logged with its trace."""
    if isinstance(exc, UserError):
        return exc
    logger.exception(f"Stream {key} failed unexpectedly.", exc_info=exc)
    return UserError(
        f"Stream {key} failed unexpectedly: {exc.__class__.__name__}: {exc}", failure_type=FailureType.system_error
    )


@dataclass(frozen=True)
class WorkItem:
    """One step of one stream: its planning (a stream's first item), or one slice with its query submitted."""

    stream: StreamRun
    slice_: Slice | None = None
    future: Future[SliceQuery] | None = None
    planned: Future[StreamPlan] | None = None  # the stream's planning, running in the planning pool

    @property
    def ready(self) -> bool:
        """False while the stream's planning runs: its slices are not known yet."""
        return self.planned is None or self.planned.done()


StartPlan = Callable[[StreamRun], "Future[StreamPlan]"]
SubmitQuery = Callable[[StreamPlan, Slice, threading.Event], "Future[SliceQuery]"]


def work_items(runs: list[StreamRun], start_plan: StartPlan, submit: SubmitQuery) -> Iterator[WorkItem]:
    """Each stream's planning (in its own pool: its `SELECT max(cursor)` may run for minutes), then its slices
    in order, each submitted as it is handed out. A stream's slices are drawn only once its planning is done
    (SubmitWindow sees to that); a stream that cannot be planned has no slices, and the writer fails it."""
    for run in runs:
        planned = start_plan(run)
        yield WorkItem(run, planned=planned)
        if planned.exception() is not None:
            continue  # the writer fails the stream with this error when it reaches the planning item
        plan = planned.result()
        for slice_ in plan.slices:
            if run.cancel.is_set():
                break
            yield WorkItem(run, slice_, submit(plan, slice_, run.cancel))


class SubmitWindow(Generic[T]):
    """The items in order, with up to `size` of them that `counts` (queries) handed out (submitted) before each is
    used: the next queries start before this item's results are written. Items that do not count (a stream's
    planning, which runs in its own pool) take no place in the window, so `size` queries run ahead however many
    streams there are.

    Drawing never waits: it stops at an item that is not `ready` (a stream still being planned) until that item
    is ready or used. `top_up` draws again, from any thread: the writer calls it while it waits on an item, and a
    planning calls it when it ends, so the stream's slices start at once.
    """

    def __init__(
        self,
        items: Iterator[T],
        size: int,
        ready: Callable[[T], bool] = lambda _: True,
        counts: Callable[[T], bool] = lambda _: True,
    ) -> None:
        self._items = items
        self._size = size
        self._ready = ready
        self._counts = counts
        self._window: deque[T] = deque()
        self._counted = 0  # items in the window that count against `size`
        self._held: T | None = None  # the last item drawn while it is not ready: nothing after it is drawn yet
        self._exhausted = False
        self._lock = threading.RLock()  # the items' generator runs in one thread at a time
        self._drawing = False

    def top_up(self) -> None:
        with self._lock:
            if self._drawing:
                return  # called back from inside a draw (a planning that ended at once): that draw looks again
            self._drawing = True
            try:
                self._draw()
            finally:
                self._drawing = False

    def close(self) -> None:
        """Draw nothing more (the read ends: a late top-up must not submit into a pool shut down)."""
        with self._lock:
            self._exhausted = True

    def _draw(self) -> None:
        while self._counted < self._size and not self._exhausted:
            if self._held is not None and not self._ready(self._held):
                return
            item = next(self._items, None)
            if item is None:
                self._exhausted = True
                return
            self._window.append(item)
            self._counted += self._counts(item)
            self._held = item

    def _pop(self) -> T | None:
        with self._lock:
            if not self._window:
                return None
            item = self._window.popleft()
            self._counted -= self._counts(item)
        self.top_up()
        return item

    def _used(self, item: T) -> None:
        with self._lock:
            if self._held is item:
                self._held = None  # used: what comes after it no longer waits for it
        self.top_up()

    def __iter__(self) -> Iterator[T]:
        self.top_up()
        while (item := self._pop()) is not None:
            yield item
            self._used(item)
