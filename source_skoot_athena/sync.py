"""One `read`: every configured stream, slice by slice, queries running ahead while results are written in order.

Per stream: STARTED -> (ESTIMATE) -> records and a STATE after each slice -> COMPLETE, or INCOMPLETE with an error
trace while the other streams go on; the sync fails at the end if any stream did. Up to `max_concurrent_queries`
queries — the next slices of this stream, then the first slices of the next streams — run ahead of the slice
being written (Athena works while we write), while records and states are written strictly in catalog order and
results are read one at a time, so memory stays bounded by one result file.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import botocore.exceptions
from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStreamStatus,
    AirbyteTraceMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    EstimateType,
    FailureType,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message as stream_status_message

from source_skoot_athena.athena import FinishedQuery, QueryRunner
from source_skoot_athena.aws import DENIED_CODES, AwsClients, describe_error, error_code
from source_skoot_athena.catalog import get_table
from source_skoot_athena.check import check_workgroup, result_location
from source_skoot_athena.config import Config
from source_skoot_athena.errors import ConfigError, QueryError, UserError
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.pipeline import RunAhead
from source_skoot_athena.records import RecordEncoder
from source_skoot_athena.results import CSV, PARQUET, ResultReader, split_s3_uri
from source_skoot_athena.results.api import ApiResult
from source_skoot_athena.results.csv import CsvResult
from source_skoot_athena.results.unload import UnloadResult
from source_skoot_athena.sql import leading_comment, unload_statement
from source_skoot_athena.state import StreamKey, StreamState, parse_states, state_message
from source_skoot_athena.stream import Slice, StreamPlan, StreamPlanner

ENGINE_V1 = "Athena engine version 1"


@dataclass
class SliceQuery:
    """A slice's finished query and how its rows are to be fetched."""

    finished: FinishedQuery
    path: str
    unload_prefix: str | None


@dataclass
class StreamRun:
    """One configured stream's progress through the sync."""

    configured: ConfiguredAirbyteStream
    saved: StreamState
    plan: StreamPlan | None = None
    error: UserError | None = None
    started: bool = False
    running: bool = False
    finished: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    encoders: dict[str, RecordEncoder] = field(default_factory=dict)

    @property
    def key(self) -> StreamKey:
        return _key(self.configured)

    def encoder(self, path: str) -> RecordEncoder:
        """The stream's encoder for a read path (a stream may change path once, from Parquet to CSV)."""
        if path not in self.encoders:
            assert self.plan is not None
            columns = [(c.name, c.type) for c in self.plan.columns]
            self.encoders[path] = RecordEncoder(self.key[1], self.key[0], columns)
        return self.encoders[path]


@dataclass
class Work:
    """One slice of one stream, its query already submitted; no slice when the stream has nothing to query."""

    stream: StreamRun
    piece: Slice | None
    future: Future[SliceQuery] | None


class Sync:
    """Reads the configured streams of one `read` invocation."""

    def __init__(self, config: Config, clients: AwsClients, logger: logging.Logger) -> None:
        self._config = config
        self._clients = clients
        self._logger = logger
        self._runner = QueryRunner(clients, config, logger)
        self._planner = StreamPlanner(config, clients, self._runner, logger)
        self._run_id = uuid.uuid4().hex[:16]
        self._unload_root: str | None = None
        self._path = PARQUET
        self._slice_numbers = itertools.count(1)

    def stop(self) -> None:
        self._runner.stop_all()

    # -- the whole sync --------------------------------------------------------------------------------------
    def run(
        self, catalog: ConfiguredAirbyteCatalog, states: Sequence[AirbyteStateMessage]
    ) -> Iterator[RecordChunk | AirbyteMessage]:
        """Every stream in catalog order; queries (of this stream's next slices or the next streams') run ahead."""
        saved = parse_states(states, self._logger)
        streams = self._unique_streams(catalog)
        configured_keys = {(s.stream.namespace, s.stream.name) for s in streams}
        for stale in saved:
            if stale not in configured_keys:
                self._logger.warning(f"Ignoring saved state of stream {stale[0]}.{stale[1]}: it is not in the catalog.")
        self._choose_path()
        runs = [StreamRun(configured, saved.get(_key(configured), StreamState())) for configured in streams]
        pool = ThreadPoolExecutor(max_workers=self._config.max_concurrent_queries, thread_name_prefix="query")
        window: deque[Work] = deque()
        work = self._work(runs, pool)

        def top_up() -> None:
            while len(window) < self._config.max_concurrent_queries:
                item = next(work, None)
                if item is None:
                    return
                window.append(item)

        try:
            top_up()
            while window:
                item = window.popleft()
                top_up()  # the next queries start before this item's results are written
                yield from self._process(item)
        finally:
            # Nothing is left running: queries still ahead are stopped, unstarted ones never start.
            for stream_run in runs:
                stream_run.cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)
        failures = [(r.key, r.error) for r in runs if r.error is not None]
        if failures:
            names = ", ".join(f"{k[0]}.{k[1]}" for k, _ in failures)
            only_config = all(e.failure_type == FailureType.config_error for _, e in failures)
            raise UserError(
                f"{len(failures)} of {len(streams)} streams did not sync: {names}. "
                + " | ".join(f"{k[1]}: {e.message}" for k, e in failures),
                failure_type=FailureType.config_error if only_config else FailureType.system_error,
            )

    def _unique_streams(self, catalog: ConfiguredAirbyteCatalog) -> list[ConfiguredAirbyteStream]:
        seen: set[StreamKey] = set()
        streams: list[ConfiguredAirbyteStream] = []
        for configured in catalog.streams:
            key = _key(configured)
            if key in seen:
                self._logger.warning(f"Stream {key[0]}.{key[1]} is configured twice; reading it once.")
                continue
            seen.add(key)
            streams.append(configured)
        return streams

    def _choose_path(self) -> None:
        """UNLOAD to Parquet unless the workgroup cannot (engine version 1); the reason is logged."""
        workgroup = check_workgroup(self._clients, self._config, self._logger)
        location = result_location(workgroup) or ""
        self._unload_root = location.rstrip("/") + f"/skoot-athena-unload/{self._run_id}"
        configuration = workgroup.get("Configuration", {}) or {}
        engine = (configuration.get("EngineVersion", {}) or {}).get("EffectiveEngineVersion", "")
        if engine == ENGINE_V1:
            self._path = CSV
            self._logger.info(
                "Read path: result CSV (the workgroup runs Athena engine version 1, which has no UNLOAD)."
            )
        else:
            self._path = PARQUET
            self._logger.info(f"Read path: UNLOAD to Parquet under {self._unload_root}/ (typed, compressed).")

    # -- planning and submitting, ahead of writing ----------------------------------------------------------
    def _work(self, runs: list[StreamRun], pool: ThreadPoolExecutor) -> Iterator[Work]:
        """Each stream's slices in order, each submitted as it is handed out; a stream that cannot be planned
        (or has nothing to read) is one item without a query."""
        for stream_run in runs:
            try:
                stream_run.plan = self._plan(stream_run)
            except Exception as exc:
                stream_run.error = _as_user_error(stream_run.key, exc, self._logger)
                yield Work(stream_run, None, None)
                continue
            if not stream_run.plan.slices:
                yield Work(stream_run, None, None)
            for piece in stream_run.plan.slices:
                if stream_run.cancel.is_set():
                    break
                future = pool.submit(self._run_slice_query, stream_run.plan, piece, stream_run.cancel)
                yield Work(stream_run, piece, future)

    def _plan(self, stream_run: StreamRun) -> StreamPlan:
        configured = stream_run.configured
        database = configured.stream.namespace
        if not database:
            raise ConfigError(
                f"Stream {configured.stream.name} has no namespace: it must be the Glue database (run discover again)."
            )
        table = get_table(self._clients, database, configured.stream.name)
        if table is None:
            raise ConfigError(
                f"Table {database}.{configured.stream.name} no longer exists in Glue: refresh the source schema."
            )
        plan = self._planner.plan(configured, table, stream_run.saved)
        self._logger.info(
            f"{plan.label}: {len(plan.slices)} slice(s), columns: {', '.join(c.name for c in plan.columns)}."
        )
        return plan

    # -- writing, in order -----------------------------------------------------------------------------------
    def _process(self, work: Work) -> Iterator[RecordChunk | AirbyteMessage]:
        """The messages of one work item: the stream's STARTED first, its records and STATE, COMPLETE last."""
        stream_run = work.stream
        descriptor = _descriptor(stream_run.key)
        if not stream_run.started:
            stream_run.started = True
            yield stream_status_message(descriptor, AirbyteStreamStatus.STARTED)
            plan = stream_run.plan
            if plan is not None and (plan.row_estimate is not None or plan.byte_estimate is not None):
                yield _estimate(stream_run.key, plan.row_estimate, plan.byte_estimate)
        if stream_run.finished:
            return  # a stream that already failed: its remaining slices are dropped
        if stream_run.error is None:
            try:
                yield from self._write_slice(stream_run, work)
                return
            except Exception as exc:
                stream_run.error = _as_user_error(stream_run.key, exc, self._logger)
                stream_run.cancel.set()
        stream_run.finished = True
        assert stream_run.error is not None
        yield self._error_trace(stream_run.key, stream_run.error)
        yield stream_status_message(descriptor, AirbyteStreamStatus.INCOMPLETE)

    def _write_slice(self, stream_run: StreamRun, work: Work) -> Iterator[RecordChunk | AirbyteMessage]:
        plan, piece, key = stream_run.plan, work.piece, stream_run.key
        assert plan is not None
        if piece is None or work.future is None:
            yield state_message(key, plan.final_state, 0)
            yield from self._complete(stream_run)
            return
        query = work.future.result()
        encoder = stream_run.encoder(query.path)
        started, count = time.monotonic(), 0
        reader = self._reader(plan, query)
        encoded = (
            RecordChunk(key[0], key[1], encoder.encode(batch, int(time.time() * 1000)), batch.num_rows)
            for batch in reader.batches()
            if batch.num_rows
        )
        try:
            for chunk in RunAhead(encoded):
                if not stream_run.running:
                    stream_run.running = True
                    yield stream_status_message(_descriptor(key), AirbyteStreamStatus.RUNNING)
                yield chunk
                count += chunk.count
        finally:
            self._clean_up(reader)
        self._log_slice(plan, piece, query, reader.path, count, time.monotonic() - started)
        yield state_message(key, piece.state_after, count)
        if piece is plan.slices[-1]:
            yield from self._complete(stream_run)

    def _complete(self, stream_run: StreamRun) -> Iterator[AirbyteMessage]:
        assert stream_run.plan is not None
        label = stream_run.plan.label
        for path, used in stream_run.encoders.items():
            for warning in used.new_warning_texts():
                self._logger.warning(f"{label} ({path}): {warning}")
            for column, nulled in used.nulled_counts.items():
                self._logger.warning(
                    f"{label}.{column}: {nulled} NaN/Infinity value(s) were written as null (JSON has no such numbers)."
                )
        stream_run.finished = True
        yield stream_status_message(_descriptor(stream_run.key), AirbyteStreamStatus.COMPLETE)

    # -- one slice -------------------------------------------------------------------------------------------
    def _run_slice_query(self, plan: StreamPlan, piece: Slice, cancel: threading.Event) -> SliceQuery:
        """Run the slice's query (in a worker thread): UNLOAD to Parquet, or the plain SELECT for the result CSV.

        A failed UNLOAD is retried once as a plain SELECT. Only if that one succeeds was the failure UNLOAD's own
        (e.g. a type or feature it cannot handle), and the rest of the sync then uses the result CSV; a table that
        fails either way fails its stream without changing how the others are read.
        """
        csv_sql = self._planner.select_sql(plan, piece, CSV)
        if self._path != PARQUET:
            return SliceQuery(self._runner.run(csv_sql, purpose=f"query of {plan.label}", cancel=cancel), CSV, None)
        prefix = f"{self._unload_root}/{next(self._slice_numbers):06d}/"
        select = self._planner.select_sql(plan, piece, PARQUET)
        comment = leading_comment(self._config.connection_name, f"read {plan.label}")
        sql = unload_statement(comment, select[len(comment) :], prefix)
        try:
            return SliceQuery(self._runner.run(sql, purpose=f"UNLOAD of {plan.label}", cancel=cancel), PARQUET, prefix)
        except QueryError as unload_error:
            if unload_error.kind != "failed":
                raise
            finished = self._runner.run(csv_sql, purpose=f"query of {plan.label}", cancel=cancel)
            self._path = CSV
            self._logger.warning(
                f"Read path: result CSV for the rest of this sync, because UNLOAD failed where a plain SELECT "
                f"succeeded ({unload_error.message})."
            )
            return SliceQuery(finished, CSV, None)

    def _reader(self, plan: StreamPlan, query: SliceQuery) -> ResultReader:
        names = [f"c{i}" for i in range(len(plan.columns))]
        types = [c.type for c in plan.columns]
        if query.path == PARQUET:
            assert query.unload_prefix is not None
            return UnloadResult(self._clients.s3, query.finished.manifest_location, query.unload_prefix)
        location = query.finished.output_location
        if location and self._can_read(location):
            return CsvResult(self._clients.s3, location, names, types)
        self._logger.warning(
            f"The query results at {location} cannot be read (s3:GetObject on the results bucket: statement "
            "SkootAthenaResultsS3); paging through GetQueryResults instead, which is much slower."
        )
        return ApiResult(self._clients.athena, query.finished.query_id, names, types)

    def _clean_up(self, reader: ResultReader) -> None:
        """Delete the result files once written (or abandoned); a failed delete is a warning, not a failed sync."""
        try:
            reader.cleanup()
        except UserError as exc:
            self._logger.warning(f"Could not delete query result files: {exc.message}")

    def _can_read(self, location: str) -> bool:
        """HeadObject on the result CSV: False when the results bucket cannot be read (then GetQueryResults)."""
        bucket, key = split_s3_uri(location)
        try:
            self._clients.s3.head_object(Bucket=bucket, Key=key)
            return True
        except botocore.exceptions.ClientError as exc:
            # Only a denial means "use GetQueryResults"; anything else (after botocore's retries) is an error.
            if error_code(exc) in DENIED_CODES:
                return False
            raise describe_error(exc, "s3:GetObject", what=location) from None

    def _log_slice(
        self, plan: StreamPlan, piece: Slice, query: SliceQuery, path: str, rows: int, seconds: float
    ) -> None:
        finished = query.finished
        partitions = f", {len(piece.partitions)} partition(s)" if piece.partitions is not None else ""
        self._logger.info(
            f"{plan.label} slice {piece.index + 1}/{len(plan.slices)}{partitions}: query {finished.query_id}, "
            f"read path {path}, {rows} rows in {seconds:.2f}s, {finished.data_scanned_bytes} bytes scanned, "
            f"engine {finished.engine_ms} ms, estimated cost ${finished.cost_usd:.6f}."
        )

    def _error_trace(self, key: StreamKey, exc: UserError) -> AirbyteMessage:
        message = exc.as_airbyte_message(stream_descriptor=_descriptor(key))
        if message.trace is not None and message.trace.error is not None:
            message.trace.error.stack_trace = None
        return message


def _key(configured: ConfiguredAirbyteStream) -> StreamKey:
    return StreamKey(configured.stream.namespace, configured.stream.name)


def _as_user_error(key: StreamKey, exc: BaseException, logger: logging.Logger) -> UserError:
    """A stream's failure as a UserError; anything else is a bug or an unexpected answer, logged with its trace."""
    if isinstance(exc, UserError):
        return exc
    logger.exception(f"Stream {key[0]}.{key[1]} failed unexpectedly.", exc_info=exc)
    return UserError(
        f"Stream {key[0]}.{key[1]} failed unexpectedly: {exc.__class__.__name__}: {exc}",
        failure_type=FailureType.system_error,
    )


def _descriptor(key: StreamKey) -> StreamDescriptor:
    return StreamDescriptor(name=key[1], namespace=key[0])


def _estimate(key: StreamKey, rows: int | None, size: int | None) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ESTIMATE,
            emitted_at=time.time() * 1000,
            estimate=AirbyteEstimateTraceMessage(
                name=key[1], namespace=key[0], type=EstimateType.STREAM, row_estimate=rows, byte_estimate=size
            ),
        ),
    )
