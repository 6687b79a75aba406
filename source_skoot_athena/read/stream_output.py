"""One work item's output, in protocol order: the stream's STARTED, then (once it is planned) its ESTIMATE, its
records with RUNNING before the first of them, a STATE after each slice, and COMPLETE after the last slice — or,
when the stream failed, its error trace and INCOMPLETE, after which its remaining slices are dropped.

While a stream is being planned (its `SELECT max(cursor)` runs) or a slice's query is still running, every
heartbeat tick (progress.py) re-emits the stream's last STATE, logs the running queries and, while a start waits
out Athena's concurrency limit, writes RUNNING with the RATE_LIMITED reason; the same tick logs the stream's
progress while its records are written."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.pipeline import RunAhead
from source_skoot_athena.protocol import AirbyteStreamStatus, Message
from source_skoot_athena.read.messages import error_trace, estimate, state_message, stream_status
from source_skoot_athena.read.progress import Ticker, still_running_line
from source_skoot_athena.read.result_path import ResultPath
from source_skoot_athena.read.scheduler import Phase, StreamRun, WorkItem
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream_plan import Slice, StreamPlan

if TYPE_CHECKING:  # both import pyarrow, loaded while the first query runs (result_path.py)
    from source_skoot_athena.encoding import RecordEncoder
    from source_skoot_athena.results import ResultReader

Output = Iterator[RecordChunk | Message]
T = TypeVar("T")
# How often a wait on a query looks whether a start is waiting out Athena's concurrency limit.
RATE_LIMIT_CHECK_S = 1.0


class StreamOutput:
    """Writes work items as records and protocol messages (see the module docstring)."""

    def __init__(
        self,
        clients: AwsClients,
        runner: QueryRunner,
        ticker: Ticker,
        logger: logging.Logger,
        while_waiting: Callable[[], None] = lambda: None,
        result_path: ResultPath | None = None,
        taken: Callable[[Future[SliceQuery]], None] = lambda _: None,
    ) -> None:
        self._clients = clients
        self._runner = runner
        self._ticker = ticker
        self._logger = logger
        self._while_waiting = while_waiting  # called at least every RATE_LIMIT_CHECK_S of a wait (the window's top-up)
        self._result_path = result_path or ResultPath()
        self._taken = taken  # told which query's results this writer reads (and so deletes): UnreadResults

    def messages(self, item: WorkItem) -> Output:
        """The item's records and messages; a failure of the planning or the slice fails its stream, never the
        whole read."""
        run = item.stream
        if run.phase == Phase.WAITING:
            run.phase = Phase.STARTED
            yield stream_status(run.key, AirbyteStreamStatus.STARTED)
        if run.phase == Phase.FINISHED:
            return  # a stream that already failed: its remaining slices are dropped
        try:
            if item.planned is not None:
                yield from self._start(run, item.planned)
            else:
                yield from self._write_slice(run, item)
            return
        except Exception as exc:
            run.fail(exc, self._logger)
        run.phase = Phase.FINISHED
        assert run.error is not None
        yield error_trace(run.error, run.key)
        yield stream_status(run.key, AirbyteStreamStatus.INCOMPLETE)

    def _start(self, run: StreamRun, planned: Future[StreamPlan]) -> Output:
        """The stream's plan, awaited with heartbeats; then its ESTIMATE, and its end if it has nothing to read."""
        plan = run.plan = yield from self._await(run, planned)
        run.progress.slices_total = len(plan.slices)
        if plan.row_estimate is not None or plan.byte_estimate is not None:
            yield estimate(run.key, plan.row_estimate, plan.byte_estimate)
        if not plan.slices:
            yield self._state(run, plan.final_state, 0)
            yield from self._complete(run, plan)

    def _write_slice(self, run: StreamRun, item: WorkItem) -> Output:
        plan, slice_ = run.plan, item.slice_
        assert plan is not None and slice_ is not None and item.future is not None
        query = yield from self._await(run, item.future)
        self._result_path.ready()
        from source_skoot_athena.read.result_source import clean_up, open_reader

        started, count = time.monotonic(), 0
        reader = open_reader(self._clients, plan, query, self._logger)
        self._taken(item.future)
        try:
            for chunk in RunAhead(_encoded(run.key, run.encoder(), reader)):
                if run.phase != Phase.RUNNING:
                    run.phase = Phase.RUNNING
                    yield stream_status(run.key, AirbyteStreamStatus.RUNNING)
                yield chunk
                count += chunk.count
                if self._ticker.due():
                    self._logger.info(run.progress.line(plan.label, count))
        finally:
            clean_up(reader, self._logger)
        run.progress.add_slice(count, query.finished)
        self._log_slice(plan, slice_, query, reader.path, count, time.monotonic() - started)
        yield self._state(run, slice_.state_after, count)
        if slice_ is plan.slices[-1]:
            yield from self._complete(run, plan)

    def _await(self, run: StreamRun, future: Future[T]) -> Generator[Message, None, T]:
        """The future's result (its failure is raised): a stream's plan or a slice's finished query. Meanwhile:
        RUNNING with reason RATE_LIMITED as soon as a start waits out Athena's concurrency limit (checked every
        second), a heartbeat at every tick."""
        limited = False
        while True:
            try:
                return future.result(timeout=min(self._ticker.seconds_left(), RATE_LIMIT_CHECK_S))
            except TimeoutError:
                self._while_waiting()
                now_limited = self._runner.active.rate_limited
                if now_limited and not limited:
                    yield stream_status(run.key, AirbyteStreamStatus.RUNNING, rate_limited=True)
                limited = now_limited
                if self._ticker.due():
                    yield from self._heartbeat(run)

    def _heartbeat(self, run: StreamRun) -> Iterator[Message]:
        now = time.monotonic()
        for query in self._runner.active.snapshot():
            self._logger.info(still_running_line(query, now))
        if run.plan is not None:
            self._logger.info(run.progress.line(run.plan.label))
        yield state_message(run.key, run.latest_state, 0)

    @staticmethod
    def _state(run: StreamRun, state: StreamState, count: int) -> Message:
        run.last_state = state
        return state_message(run.key, state, count)

    def _complete(self, run: StreamRun, plan: StreamPlan) -> Iterator[Message]:
        encoder = run.used_encoder
        if encoder is not None:
            for warning in encoder.new_warning_texts():
                self._logger.warning(f"{plan.label}: {warning}")
            for column, nulled in encoder.nulled_counts.items():
                self._logger.warning(
                    f"{plan.label}.{column}: {nulled} NaN/Infinity value(s) were written as null (JSON has no such "
                    "numbers)."
                )
        run.phase = Phase.FINISHED
        yield stream_status(run.key, AirbyteStreamStatus.COMPLETE)

    def _log_slice(
        self, plan: StreamPlan, slice_: Slice, query: SliceQuery, path: str, rows: int, seconds: float
    ) -> None:
        finished = query.finished
        partitions = f", {len(slice_.partitions)} partition(s)" if slice_.partitions is not None else ""
        self._logger.info(
            f"{plan.label} slice {slice_.index + 1}/{len(plan.slices)}{partitions}: query {finished.query_id}, "
            f"read path {path}, {rows} rows in {seconds:.2f}s, {finished.data_scanned_bytes} bytes scanned, "
            f"engine {finished.engine_ms} ms, estimated cost ${finished.cost_usd:.6f}."
        )


def _encoded(key: StreamKey, encoder: RecordEncoder, reader: ResultReader) -> Iterator[RecordChunk]:
    """The result's batches as RECORD lines (run ahead of the writes by pipeline.RunAhead)."""
    for batch in reader.batches():
        if batch.num_rows:
            yield RecordChunk(key.namespace, key.name, encoder.encode(batch, int(time.time() * 1000)), batch.num_rows)
