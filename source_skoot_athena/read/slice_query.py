"""A slice's query, run in a worker thread: UNLOAD to Parquet, or the plain SELECT whose result CSV is read.

UNLOAD writes typed, compressed Parquet; the plain SELECT is the fallback. A failed UNLOAD is retried once as a
plain SELECT: only if that one succeeds was the failure UNLOAD's own (a type or feature it cannot handle), and
the rest of the sync then uses the result CSV. A table that fails either way fails its stream without changing
how the others are read.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from typing import Any

from source_skoot_athena.athena import FinishedQuery, QueryRunner
from source_skoot_athena.aws import aws_call, raise_delete_errors
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError, QueryError
from source_skoot_athena.results import split_s3_uri
from source_skoot_athena.sql import leading_comment, unload_statement
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.stream_plan import Slice, StreamPlan
from source_skoot_athena.types import ReadPath
from source_skoot_athena.workgroup import Workgroup

UNLOAD_FOLDER = "skoot-athena-unload"


@dataclass(frozen=True)
class SliceQuery:
    """A slice's finished query and how its rows are to be fetched."""

    finished: FinishedQuery
    path: ReadPath
    unload_prefix: str | None


class ReadPathSwitch:
    """The sync's read path, which may go from Parquet to the result CSV once and never back.

    Worker threads read it while one of them may switch it; the lock makes "switch, and was I the one" atomic,
    so the switch is announced once.
    """

    def __init__(self, path: ReadPath) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> ReadPath:
        with self._lock:
            return self._path

    def fall_back_to_csv(self) -> bool:
        """Use the result CSV from now on; True if this call made the switch."""
        with self._lock:
            switched = self._path != ReadPath.CSV
            self._path = ReadPath.CSV
            return switched


class SliceQueries:
    """Runs the slices' queries of one sync on the read path the workgroup allows (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        runner: QueryRunner,
        planner: StreamPlanner,
        workgroup: Workgroup,
        run_id: str,
        logger: logging.Logger,
        s3: Any = None,
    ) -> None:
        self._config = config
        self._s3 = s3  # deletes what a failed UNLOAD attempt left behind (None: nothing is deleted)
        self._runner = runner
        self._planner = planner
        self._logger = logger
        self._unload_root = (workgroup.result_location or "").rstrip("/") + f"/{UNLOAD_FOLDER}/{run_id}"
        self._slice_numbers = itertools.count(1)
        unload = workgroup.has_unload and not workgroup.client_side_encrypted
        self.switch = ReadPathSwitch(ReadPath.PARQUET if unload else ReadPath.CSV)
        if unload:
            logger.info(f"Read path: UNLOAD to Parquet under {self._unload_root}/ (typed, compressed).")
        elif workgroup.client_side_encrypted:
            logger.info("Read path: GetQueryResults (the workgroup encrypts its results client-side, CSE_KMS).")
        else:
            logger.info("Read path: result CSV (the workgroup runs Athena engine version 1, which has no UNLOAD).")

    def run(self, plan: StreamPlan, slice_: Slice, cancel: threading.Event) -> SliceQuery:
        """The slice's query on the current read path, falling back from UNLOAD to SELECT as described above."""
        if self.switch.path != ReadPath.PARQUET:
            return self.run_select(plan, slice_, cancel)
        try:
            return self.run_unload(plan, slice_, cancel)
        except QueryError as unload_error:
            if unload_error.kind != "failed":
                raise
            query = self.run_select(plan, slice_, cancel)
            if self.switch.fall_back_to_csv():
                self._logger.warning(
                    f"Read path: result CSV for the rest of this sync, because UNLOAD failed where a plain SELECT "
                    f"succeeded ({unload_error.message})."
                )
            return query

    def run_select(self, plan: StreamPlan, slice_: Slice, cancel: threading.Event) -> SliceQuery:
        """The plain SELECT: its rows are read from the result CSV (or GetQueryResults)."""
        sql = self._planner.select_sql(plan, slice_, ReadPath.CSV)
        finished = self._runner.run(sql, purpose=f"query of {plan.label}", cancel=cancel)
        return SliceQuery(finished, ReadPath.CSV, None)

    def run_unload(self, plan: StreamPlan, slice_: Slice, cancel: threading.Event) -> SliceQuery:
        """UNLOAD of the slice's SELECT to Parquet files under a prefix of its own.

        A retried attempt (a FAILED UNLOAD Athena marks retryable) gets a fresh prefix and the previous one is
        deleted: Athena leaves a failed UNLOAD's files behind ("Athena does not attempt to delete orphaned
        data") and the TO location must be empty (https://docs.aws.amazon.com/athena/latest/ug/unload.html).
        """
        slice_root = f"{self._unload_root}/{next(self._slice_numbers):06d}"
        select = self._planner.select_sql(plan, slice_, ReadPath.PARQUET)
        comment = leading_comment(self._config.connection_name, f"read {plan.label}")
        prefixes: list[str] = []

        def attempt_sql(attempt: int) -> str:
            if prefixes:
                self._delete_prefix(prefixes[-1])
            prefixes.append(f"{slice_root}/" if attempt == 1 else f"{slice_root}-retry{attempt}/")
            return unload_statement(comment, select[len(comment) :], prefixes[-1])

        try:
            finished = self._runner.run(attempt_sql, purpose=f"UNLOAD of {plan.label}", cancel=cancel)
        except QueryError as exc:
            if exc.kind != "refused" and prefixes:  # a failed, stopped or timed-out attempt's files
                self._delete_prefix(prefixes[-1])
            raise
        return SliceQuery(finished, ReadPath.PARQUET, prefixes[-1])

    def _delete_prefix(self, prefix: str) -> None:
        """Delete the objects an unfinished UNLOAD attempt left under `prefix` (a failure to do so is only logged)."""
        if self._s3 is None:
            return
        bucket, key = split_s3_uri(prefix)
        try:
            with aws_call("s3:ListBucket", what=prefix):
                listed = self._s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", []) or []
            if listed:
                with aws_call("s3:DeleteObject", what=prefix):
                    objects = [{"Key": o["Key"]} for o in listed]
                    response = self._s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
                raise_delete_errors(response, bucket)
        except AwsCallError as exc:
            self._logger.warning(f"Could not delete the files an unfinished UNLOAD left under {prefix}: {exc.message}")
