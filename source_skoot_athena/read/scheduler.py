"""Which slice's query runs when: every stream's slices in catalog order, up to a window of queries ahead.

Up to `max_concurrent_queries` queries — the next slices of this stream, then the first slices of the next
streams — run ahead of the slice being written (Athena works while we write), while records and states are
written strictly in catalog order, one result at a time, so memory stays bounded by one result file.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from airbyte_cdk.models import ConfiguredAirbyteStream, FailureType

from source_skoot_athena.encoding import RecordEncoder
from source_skoot_athena.errors import UserError
from source_skoot_athena.read.progress import StreamProgress
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream import Slice, StreamPlan

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
    """One slice of one stream, its query already submitted; no slice when the stream has nothing to query."""

    stream: StreamRun
    slice_: Slice | None
    future: Future[SliceQuery] | None


PlanStream = Callable[[StreamRun], StreamPlan]
SubmitQuery = Callable[[StreamPlan, Slice, threading.Event], "Future[SliceQuery]"]


def work_items(
    runs: list[StreamRun], plan: PlanStream, submit: SubmitQuery, logger: logging.Logger
) -> Iterator[WorkItem]:
    """Each stream's slices in order, each submitted as it is handed out; a stream that cannot be planned (or has
    nothing to read) is one item without a query."""
    for run in runs:
        try:
            run.plan = plan(run)
        except Exception as exc:
            run.fail(exc, logger)
            yield WorkItem(run, None, None)
            continue
        if not run.plan.slices:
            yield WorkItem(run, None, None)
        for slice_ in run.plan.slices:
            if run.cancel.is_set():
                break
            yield WorkItem(run, slice_, submit(run.plan, slice_, run.cancel))


def window_ahead(items: Iterator[T], size: int) -> Iterator[T]:
    """The items in order, with up to `size` of them handed out (their queries submitted) before each is used:
    the next queries start before this item's results are written."""
    window: deque[T] = deque()

    def top_up() -> None:
        while len(window) < size:
            item = next(items, None)
            if item is None:
                return
            window.append(item)

    top_up()
    while window:
        item = window.popleft()
        top_up()
        yield item
