"""One `read`: every configured stream, slice by slice, queries running ahead while results are written in order.

Per stream: STARTED -> (ESTIMATE) -> records and a STATE after each slice -> COMPLETE, or INCOMPLETE with an error
trace while the other streams go on; the read fails at the end if any stream did (scheduler.py says how the
queries run ahead, stream_output.py what each slice writes, slice_query.py how a slice is queried).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.catalog import TableInfo, get_table
from source_skoot_athena.config import Config
from source_skoot_athena.cursor_bounds import QueryCursorBound
from source_skoot_athena.errors import ConfigError, UserError
from source_skoot_athena.format_files import FormatFiles, QueryRows
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.partitions import GluePartitions
from source_skoot_athena.protocol import ConfiguredAirbyteStream, FailureType, Message
from source_skoot_athena.read.progress import Ticker, heartbeat_interval
from source_skoot_athena.read.result_path import ResultPath
from source_skoot_athena.read.scheduler import StreamRun, SubmitWindow, stream_key, work_items
from source_skoot_athena.read.slice_query import SliceQueries, SliceQuery
from source_skoot_athena.read.startup import FirstQueryStarted, look_up_workgroup, results_bucket
from source_skoot_athena.read.stream_output import StreamOutput
from source_skoot_athena.read.unread_results import UnreadResults
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import Slice, StreamPlan
from source_skoot_athena.workgroup import Workgroup


class CatalogRead:
    """Reads the configured streams of one `read` invocation; `stop` (from a signal handler) stops its queries."""

    def __init__(self, config: Config, clients: AwsClients, logger: logging.Logger) -> None:
        self._config = config
        self._clients = clients
        self._logger = logger
        self._runner = QueryRunner(clients.athena, config, logger, starts=clients.athena_starts)
        self._planner: StreamPlanner | None = None  # made in `run`, while GetWorkGroup is in flight (startup.py)
        self._tables: dict[StreamKey, Future[TableInfo]] = {}  # GetTable started ahead, by stream
        self._run_id = uuid.uuid4().hex[:16]

    def stop(self) -> None:
        self._runner.stop_all()

    def run(
        self, catalog: Sequence[ConfiguredAirbyteStream], saved: dict[StreamKey, StreamState]
    ) -> Iterator[RecordChunk | Message]:
        """Every stream in catalog order; queries (of this stream's next slices or the next streams') run ahead."""
        streams = unique_streams(catalog, self._logger)
        warn_about_stale_states(saved, streams, self._logger)
        runs = [StreamRun(configured, saved.get(stream_key(configured), StreamState())) for configured in streams]
        pool = ThreadPoolExecutor(max_workers=self._config.max_concurrent_queries, thread_name_prefix="query")
        # Planning in a pool of its own, so that it takes no query worker (only the queries it runs take slots of
        # the runner's limit) and the writer keeps its heartbeat while it runs; the window draws one planning at a
        # time, so one worker is enough.
        planning = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan")
        unread, result_path = UnreadResults(), ResultPath()
        try:
            workgroup = self._start_up(pool, runs, result_path)
            yield from self._read(pool, planning, runs, workgroup, unread, result_path)
        finally:
            # Nothing is left running: queries still ahead are stopped, unstarted ones never start.
            for run in runs:
                run.cancel.set()
            planning.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)
            if cleaned := unread.clean_up(self._clients, self._logger):
                self._logger.info(f"Deleted the result files of {cleaned} query(ies) started ahead and never read.")
        raise_if_any_failed(runs)

    def _start_up(self, pool: ThreadPoolExecutor, runs: list[StreamRun], result_path: ResultPath) -> Workgroup:
        """GetWorkGroup beside the first stream's GetTable (which makes the Glue client) and the S3 client's
        creation (startup.py); a GetWorkGroup failure fails the read as before, before any message."""
        workgroup = look_up_workgroup(self._clients, self._config, self._logger)
        if runs:
            self._tables[runs[0].key] = pool.submit(self._table, runs[0])
        self._planner = StreamPlanner(
            self._config,
            GluePartitions(self._clients.glue, self._clients.s3, self._logger),
            QueryCursorBound(self._config, self._runner),
            self._logger,
            FormatFiles(self._config, self._clients.s3, QueryRows(self._runner, self._clients.athena), self._logger),
        )
        found = workgroup.result()
        # Once Athena has accepted the first query, on botocore's after-call event (botocore docs, "Events").
        first_query = FirstQueryStarted(self._clients, result_path, results_bucket(found))
        self._clients.athena_starts.meta.events.register("after-call.athena.StartQueryExecution", first_query)
        return found

    def _read(
        self,
        pool: ThreadPoolExecutor,
        planning: ThreadPoolExecutor,
        runs: list[StreamRun],
        workgroup: Workgroup,
        unread: UnreadResults,
        result_path: ResultPath,
    ) -> Iterator[RecordChunk | Message]:
        assert self._planner is not None
        queries = SliceQueries(
            self._config, self._runner, self._planner, workgroup, self._run_id, self._logger, self._clients.s3
        )

        def start_plan(run: StreamRun) -> Future[StreamPlan]:
            planned = planning.submit(self._plan, run)
            planned.add_done_callback(lambda _: window.top_up())  # its slices are drawn as soon as it is done
            return planned

        def submit(plan: StreamPlan, slice_: Slice, cancel: threading.Event) -> Future[SliceQuery]:
            return unread.track(plan, pool.submit(queries.run, plan, slice_, cancel))

        size = self._config.max_concurrent_queries
        window = SubmitWindow(
            work_items(runs, start_plan, submit), size, lambda item: item.ready, lambda item: item.planned is None
        )
        output = StreamOutput(
            self._clients,
            self._runner,
            Ticker(heartbeat_interval()),
            self._logger,
            window.top_up,
            result_path,
            unread.taken,
        )
        try:
            for item in window:
                yield from output.messages(item)
        finally:
            window.close()  # a late top-up (a planning's callback) must not submit into a pool shut down

    def _table(self, run: StreamRun) -> TableInfo:
        """The stream's table as Glue describes it now (GetTable)."""
        database = run.configured.stream.namespace
        if not database:
            raise ConfigError(
                f"Stream {run.configured.stream.name} has no namespace: it must be the Glue database (run discover again)."
            )
        table = get_table(self._clients, database, run.configured.stream.name)
        if table is None:
            raise ConfigError(f"Table {run.key} no longer exists in Glue: refresh the source schema.")
        return table

    def _plan(self, run: StreamRun) -> StreamPlan:
        started = self._tables.pop(run.key, None)
        table = started.result() if started is not None else self._table(run)
        assert self._planner is not None
        plan = self._planner.plan(run.configured, table, run.saved)
        self._logger.info(
            f"{plan.label}: {len(plan.slices)} slice(s), columns: {', '.join(c.name for c in plan.columns)}."
        )
        return plan


def unique_streams(catalog: Sequence[ConfiguredAirbyteStream], logger: logging.Logger) -> list[ConfiguredAirbyteStream]:
    """The catalog's streams in order, each once (a stream configured twice is read once, with a warning)."""
    seen: set[StreamKey] = set()
    streams: list[ConfiguredAirbyteStream] = []
    for configured in catalog:
        key = stream_key(configured)
        if key in seen:
            logger.warning(f"Stream {key} is configured twice; reading it once.")
            continue
        seen.add(key)
        streams.append(configured)
    return streams


def warn_about_stale_states(
    saved: dict[StreamKey, StreamState], streams: list[ConfiguredAirbyteStream], logger: logging.Logger
) -> None:
    configured = {stream_key(s) for s in streams}
    for stale in saved:
        if stale not in configured:
            logger.warning(f"Ignoring saved state of stream {stale}: it is not in the catalog.")


def raise_if_any_failed(runs: list[StreamRun]) -> None:
    """One error naming every failed stream (the non-zero exit the platform needs), typed by the worst of theirs:
    system_error if any was, else transient_error if any was, else config_error. Each stream's own trace, written
    when it failed, already carries its type."""
    failures = [(r.key, r.error) for r in runs if r.error is not None]
    if not failures:
        return
    names = ", ".join(str(key) for key, _ in failures)
    types = {error.failure_type for _, error in failures}
    worst = next(
        t
        for t in (FailureType.system_error, FailureType.transient_error, FailureType.config_error)
        if t in types or t == FailureType.config_error
    )
    raise UserError(
        f"{len(failures)} of {len(runs)} streams did not sync: {names}. "
        + " | ".join(f"{key.name}: {error.message}" for key, error in failures),
        failure_type=worst,
    )
