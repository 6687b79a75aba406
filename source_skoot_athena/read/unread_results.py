"""Slice queries whose results nobody reads, and the deletion of their files when the read ends."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future

from source_skoot_athena.aws import AwsClients
from source_skoot_athena.errors import UserError
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.stream_plan import StreamPlan


class UnreadResults:
    """The slice queries submitted during a read whose results may never be read: a stream that failed drops
    the slices it had started ahead, and a stopped read leaves its window. Their result files (UNLOAD Parquet,
    result CSV) are deleted once the read ends, so nothing piles up in the results bucket (Athena never deletes
    them, https://docs.aws.amazon.com/athena/latest/ug/unload.html)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[Future[SliceQuery], StreamPlan] = {}

    def track(self, plan: StreamPlan, future: Future[SliceQuery]) -> Future[SliceQuery]:
        with self._lock:
            self._pending[future] = plan
        return future

    def taken(self, future: Future[SliceQuery]) -> None:
        """The writer has the future's reader now, and deletes its files once written."""
        with self._lock:
            self._pending.pop(future, None)

    def clean_up(self, clients: AwsClients, logger: logging.Logger) -> int:
        """Delete the files of every finished query not taken (call once the pool is shut down); how many."""
        with self._lock:
            left, self._pending = self._pending, {}
        cleaned = 0
        for future, plan in left.items():
            if not future.done() or future.cancelled() or future.exception() is not None:
                continue  # never started, or failed (a failed UNLOAD's files are deleted where it failed)
            from source_skoot_athena.read.result_source import clean_up, open_reader  # pyarrow: once needed

            try:
                reader = open_reader(clients, plan, future.result(), logger)
            except UserError as exc:
                logger.warning(f"Could not delete the result files of an unread query: {exc.message}")
                continue
            clean_up(reader, logger)
            cleaned += 1
        return cleaned
