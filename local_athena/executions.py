"""Query executions: the QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED lifecycle on background threads.

Why: Athena is asynchronous. Running each query on its own thread lets a client observe RUNNING, poll, time
out and StopQueryExecution (which interrupts DuckDB); stopping a finished query changes nothing (unlike moto).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import duckdb

from . import moto_state
from .encryption import may_write, seal_results
from .engine import Engine
from .faults import Faults, QueryRule
from .query_errors import AthenaQueryError, from_duckdb, s3_read_denied, s3_write_denied
from .requester_pays import workgroup_pays
from .result_files import ResultHandle, write_select, write_unload

_LEADING_COMMENTS = re.compile(r"^\s*(?:(?:--[^\n]*(?:\n|$))|(?:/\*.*?\*/)|\s+)*", re.S)
_UNLOAD = re.compile(
    r"^UNLOAD\s*\((?P<select>.*)\)\s*TO\s*'(?P<target>[^']*)'\s*(?:WITH\s*\((?P<opts>.*)\))?\s*;?\s*$", re.S | re.I
)
_OPTION = re.compile(r"(\w+)\s*=\s*(?:'([^']*)'|ARRAY\s*\[[^\]]*\]|(\w+))", re.I)
DDL = ("ALTER", "CREATE", "DESCRIBE", "DROP", "MSCK", "SHOW")
FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")


def strip_leading_comments(sql: str) -> str:
    """The SQL text without leading ``--`` / ``/* */`` comments."""
    return sql[_LEADING_COMMENTS.match(sql).end() :]  # type: ignore[union-attr]


def statement_kind(sql: str) -> str:
    """First keyword: SELECT (also WITH/VALUES), UNLOAD, SHOW, CREATE…"""
    body = strip_leading_comments(sql).lstrip("(").lstrip()
    word = re.match(r"[A-Za-z]+", body)
    kind = word.group(0).upper() if word else ""
    return "SELECT" if kind in ("WITH", "VALUES", "TABLE") else kind


@dataclass
class Execution:
    """One StartQueryExecution and everything GetQueryExecution/GetQueryResults report about it."""

    id: str
    sql: str
    workgroup: str
    catalog: str
    database: str | None
    output_location: str  # directory, ends with "/"
    account_id: str
    region: str
    kind: str
    state: str = "QUEUED"
    reason: str | None = None
    athena_error: dict[str, Any] | None = None
    error_type: str | None = None
    submitted: float = field(default_factory=time.time)
    completed: float | None = None
    engine_ms: int = 0
    scanned_bytes: int = 0
    manifest_location: str | None = None
    unload_target: str | None = None
    result: ResultHandle | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)  # its thread has finished all work
    conn: duckdb.DuckDBPyConnection | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    principal: Any = None  # iam.Principal of the caller when IAM was enforced at StartQueryExecution

    def check_write(self, url: str) -> None:
        """The caller may write ``url`` (s3:PutObject), as Athena writes results with the caller's permissions."""
        if self.principal is None:
            return
        bucket, key = moto_state.split_s3_url(url)
        if not self.principal.decide("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}"):
            raise s3_write_denied(url)
        if not may_write(self.principal, self.workgroup, self.region, self.account_id):
            raise s3_write_denied(url)

    @property
    def statement_type(self) -> str:
        """DDL | DML | UTILITY as Athena reports it."""
        if self.kind in DDL:
            return "DDL"
        return "DML"

    def finish(self, state: str, error: AthenaQueryError | None = None, reason: str | None = None) -> bool:
        """Move to a final state unless already final (a cancel wins over a late result)."""
        with self.lock:
            if self.state in FINAL_STATES:
                return False
            self.state = state
            self.completed = time.time()
            if error is not None:
                self.reason = error.reason
                self.athena_error = error.athena_error()
                self.error_type = error.error_type
            elif reason:
                self.reason = reason
            return True


def _forced_outcome(ex: Execution, rules: list[QueryRule]) -> bool:
    """Apply injected delays, failures and cancels; True when the query is over (it must not execute)."""
    for rule in rules:
        if rule.kind == "delay" and ex.cancel_event.wait(rule.seconds):
            return True
        if rule.kind == "hold" and _held(ex, rule):
            return True
    if ex.state != "RUNNING":
        return True
    for rule in rules:
        if rule.kind == "fail":
            if rule.partial_output:
                _leave_partial_unload(ex)
            ex.finish("FAILED", AthenaQueryError(rule.error_type, "injected failure", retryable=rule.retryable))
            return True
        if rule.kind == "cancel":
            ex.finish("CANCELLED", reason="Query cancelled")
            return True
    return False


def _held(ex: Execution, rule: QueryRule) -> bool:
    """Wait until the hold rule's condition is true (or its time is up); True when the query was stopped first."""
    deadline = time.monotonic() + rule.seconds
    while rule.until is not None and not rule.until() and time.monotonic() < deadline:
        if ex.cancel_event.wait(0.02):
            return True
    return False


def pays(ex: Execution) -> bool:
    """Whether the query's workgroup accepts Requester Pays charges (requester_pays.py)."""
    return workgroup_pays(ex.workgroup, ex.region, ex.account_id)


class Executor:
    """Starts executions on threads, keeps them by id, and holds Athena's limit on active queries."""

    def __init__(self, tmpdir: str, faults: Faults, engines: dict[str, Engine]) -> None:
        self.tmpdir = tmpdir
        self.faults = faults
        self.engines = engines  # by region
        self.executions: dict[str, Execution] = {}
        self.tokens: dict[str, str] = {}
        # Athena's "Active DML queries" quota counts running *and* queued queries; one more is refused with
        # TooManyRequestsException (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html). None: no limit.
        self.max_active: int | None = None
        self.refused = 0  # StartQueryExecution calls refused by that quota
        self._lock = threading.Lock()

    def start(self, ex: Execution) -> bool:
        """Register and run an execution in the background; False (nothing started) when at ``max_active``."""
        with self._lock:
            if self.max_active is not None:
                active = sum(1 for other in self.executions.values() if other.state not in FINAL_STATES)
                if active >= self.max_active:
                    self.refused += 1
                    return False
            self.executions[ex.id] = ex
        threading.Thread(target=self._run, args=(ex,), name=f"athena-{ex.id[:8]}", daemon=True).start()
        return True

    @staticmethod
    def new_id() -> str:
        """A query execution id shaped like Athena's (a UUID)."""
        return str(uuid.uuid4())

    def stop(self, ex: Execution) -> None:
        """StopQueryExecution: cancel a QUEUED/RUNNING query; a finished one stays as it was."""
        if ex.finish("CANCELLED", reason="Query cancelled by user"):
            ex.cancel_event.set()
            conn = ex.conn
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.interrupt()

    def _run(self, ex: Execution) -> None:
        rules = self.faults.take_query_rules(ex.sql)
        with ex.lock:
            if ex.state == "QUEUED":
                ex.state = "RUNNING"
                if any(rule.kind == "delay" and rule.partial_output for rule in rules):
                    _leave_partial_unload(ex)  # UNLOAD's writers flush files while it runs (seen once RUNNING)
        started = time.time()
        try:
            if _forced_outcome(ex, rules):
                return
            self._execute(ex)
            ex.engine_ms = int((time.time() - started) * 1000)
            ex.finish("SUCCEEDED")
        except AthenaQueryError as e:
            ex.engine_ms = int((time.time() - started) * 1000)
            ex.scanned_bytes = 0
            ex.finish("FAILED", e)
        except duckdb.InterruptException:
            ex.finish("CANCELLED", reason="Query cancelled by user")
        except duckdb.Error as e:
            ex.scanned_bytes = 0
            ex.finish("FAILED", from_duckdb(e))
        except Exception as e:  # the stand-in must never leave a query RUNNING forever
            ex.finish("FAILED", AthenaQueryError("GENERIC_INTERNAL_ERROR", f"{type(e).__name__}: {e}"))
        finally:
            if ex.conn is not None:
                with contextlib.suppress(Exception):
                    ex.conn.close()
                ex.conn = None
            ex.done.set()

    def _execute(self, ex: Execution) -> None:
        if ex.kind == "UNLOAD":
            self._unload(ex)
            return
        if ex.kind in DDL:
            raise AthenaQueryError("NOT_SUPPORTED", f"line 1:1: {ex.kind} statements are not supported by the stand-in")
        prepared = self.engines[ex.region].prepare(ex.sql, ex.database, ex.principal, pays(ex))
        ex.conn = prepared.conn
        ex.check_write(f"{ex.output_location}{ex.id}.csv")
        ex.scanned_bytes = prepared.scanned_bytes
        if ex.cancel_event.is_set():
            return
        try:
            ex.result = write_select(prepared.conn, prepared.sql, self.tmpdir, ex.id, ex.output_location, ex.account_id)
        except duckdb.InterruptException:
            raise
        except duckdb.Error as e:
            raise from_duckdb(e) from e
        written = [f"{ex.output_location}{ex.id}.csv", f"{ex.output_location}{ex.id}.csv.metadata"]
        seal_results(ex.workgroup, ex.region, written, ex.account_id)

    def _unload(self, ex: Execution) -> None:
        """UNLOAD (SELECT …) TO 's3://…/' WITH (…): Parquet files under an empty prefix plus a manifest."""
        m = _UNLOAD.match(strip_leading_comments(ex.sql).strip())
        if not m:
            raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: mismatched input in UNLOAD statement")
        target = m.group("target")
        options = {k.lower(): (v1 or v2 or "") for k, v1, v2 in _OPTION.findall(m.group("opts") or "")}
        _check_unload_target(ex, target)
        prepared = self.engines[ex.region].prepare(m.group("select"), ex.database, ex.principal, pays(ex))
        ex.conn = prepared.conn
        ex.check_write(target.rstrip("/") + f"/{ex.id}_00000")
        ex.check_write(f"{ex.output_location}{ex.id}-manifest.csv")
        ex.scanned_bytes = prepared.scanned_bytes
        if ex.cancel_event.is_set():
            return
        try:
            files, manifest = write_unload(
                prepared.conn, prepared.sql, target, options, self.tmpdir, ex.id, ex.output_location, ex.account_id
            )
        except duckdb.InterruptException:
            raise
        except duckdb.Error as e:
            raise from_duckdb(e) from e
        seal_results(ex.workgroup, ex.region, [*files, manifest], ex.account_id)
        ex.unload_target = target
        ex.manifest_location = manifest


def _leave_partial_unload(ex: Execution) -> None:
    """What a failed (or stopped) UNLOAD leaves: "In the case of a failure, Athena does not attempt to delete
    orphaned data" (https://docs.aws.amazon.com/athena/latest/ug/unload.html, "Orphaned data not deleted"). A
    stopped query's writers have flushed what they wrote, and nothing deletes it either."""
    m = _UNLOAD.match(strip_leading_comments(ex.sql).strip())
    if m:
        bucket, prefix = moto_state.split_s3_url(m.group("target"))
        prefix = prefix if prefix.endswith("/") or not prefix else prefix + "/"
        moto_state.put_object(bucket, f"{prefix}{ex.id}_00000", b"PAR1 partial", ex.account_id)


def _check_unload_target(ex: Execution, target: str) -> None:
    """UNLOAD lists its target (s3:ListBucket, with the caller's permissions) and needs it empty."""
    bucket, prefix = moto_state.split_s3_url(target)
    if ex.principal is not None and not ex.principal.decide("s3:ListBucket", f"arn:aws:s3:::{bucket}"):
        raise s3_read_denied(target)
    if moto_state.list_objects(bucket, prefix if prefix.endswith("/") or not prefix else prefix + "/", ex.account_id):
        raise AthenaQueryError(
            "HIVE_PATH_ALREADY_EXISTS",
            f"Target directory for table '{ex.id}' already exists: {target}. You may need to manually "
            "clean the data at location before inserting data.",
        )
