"""Local copies of S3 objects made of ranged GETs fetched on demand, readable while the bytes arrive.

Why: copying each UNLOAD file whole with one GetObject before decoding it made the first record wait for the
whole first file: query done -> first record took 0.15 s with 262,144-row files (13 MB) but 0.46-0.81 s with one
2.5M-row file (≈120 MB, one row group, as Athena writes them), and at S3's ≈90 MB/s per GET stream 1.2 s for a
100 MB file (bench/first_file.py). Here the footer comes first (a suffix range), then runs of up to `PART_BYTES`
in file order, fetched by `WORKERS` threads; a read of bytes not yet written makes their 1 MiB blocks urgent
(a run of up to `URGENT_BYTES` from there, fetched next) and waits only for them; the `READ_AHEAD_BYTES` after
each read come next, and the reader asks for the start of each column chunk of the first row group at once
(`unload.first_pages`). Measured with GETs paced at 90 MB/s and 20 ms to the first byte: a 100 MB one-row-group
file gives its first batch after 0.25 s instead of 1.20 s; in a whole `read` of 5M rows, query done -> first
record 0.38 s instead of 1.79 s (docs/benchmarks.md, "Ranged first file"). In-order runs of the file being read
wait until the first pages its reader asked for are written, and 8 workers fetch instead of 4: the same 100 MB file's first
batch after 0.12 s, all of it after 0.43 s instead of 0.57 s. The next file starts once every block of the current
one is claimed, so at most two files are on disk.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from source_skoot_athena.aws import RANGED_GET_WORKERS, aws_call
from source_skoot_athena.results import split_s3_uri
from source_skoot_athena.results.copy_reader import CopyReader
from source_skoot_athena.results.object_parts import PartPlan, Run
from source_skoot_athena.results.ranged_get import PIECE_BYTES, copy_range, get_tail

PART_BYTES = 8 << 20  # the most one GetObject fetches
URGENT_BYTES = 2 << 20  # the most one GetObject fetches for a read that waits (or a prefetch)
# Bytes after each read fetched before the in-order ones: a one-row-group file is read at ten places at once
# (one per column chunk), which fetching in file order would serve one column at a time.
READ_AHEAD_BYTES = 2 << 20
# GET streams at once. S3 serves each at ≈ 90 MB/s ("Performance guidelines for Amazon S3": parallel ranged GETs
# scale it); bench/first_file.py on a 100 MB one-row-group file, S3-paced: first batch 0.17 / 0.13 / 0.12 / 0.10 s
# and whole file 0.58 / 0.48 / 0.41 / 0.41 s with 4 / 6 / 8 / 10 workers, peak RSS 172-178 MB in every case (each
# worker holds one `PIECE_BYTES` piece at most). The threads wait on sockets: their CPU is per byte, not per thread.
WORKERS = RANGED_GET_WORKERS
TAIL: Run = (-1, 0)  # the task that fetches an object's footer (and learns its size)


@dataclass(eq=False)
class ObjectCopy:
    """One object's local copy: its file, its plan (once the footer told the size) and the first error.

    The file is deleted when the reader is done with it; its descriptor is closed once no worker writes to it.
    """

    uri: str
    path: str
    fd: int = -1
    size: int | None = None
    plan: PartPlan | None = None
    tail_claimed: bool = False
    opened: bool = False  # the reader asked for data bytes (its first pages, or a read)
    first_pages: list[tuple[int, int]] = field(default_factory=list)  # what the reader's first batch needs
    first_pages_here: bool = False  # ... all written: in-order runs may start
    error: BaseException | None = None
    released: bool = False
    users: int = field(default=0)

    @classmethod
    def create(cls, uri: str, path: str) -> ObjectCopy:
        """A new empty local file for `uri`; a failure to create it is kept as the copy's error."""
        copy = cls(uri, path)
        try:
            copy.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            copy.error = exc
        return copy

    def claim(self, urgent: bool, being_read: bool) -> Run | None:
        """The next task of this copy (TAIL or a run of blocks), claimed; urgent runs only when `urgent`.

        In-order runs of the file being read wait until the first pages its reader asked for are written: taken
        before, they would hold the workers (and share the bandwidth) while the first pages of the column chunks
        (of a one-row-group file, spread over the whole file) wait. A file fetched ahead of the reader has no
        such wait: its in-order runs are all there is to do.
        """
        if self.error is not None or self.released:
            return None
        if not self.tail_claimed:
            self.tail_claimed = True
            return TAIL
        if self.plan is None:
            return None
        if urgent:
            return self.plan.take_urgent()
        return self.plan.take_next() if not being_read or self._first_pages_written() else None

    def _first_pages_written(self) -> bool:
        if not self.first_pages_here and self.opened and self.plan is not None:
            self.first_pages_here = all(self.plan.covered(start, stop) for start, stop in self.first_pages)
        return self.first_pages_here

    def fully_claimed(self) -> bool:
        return self.error is not None or (self.plan is not None and self.plan.all_claimed())

    def release(self) -> None:
        """The reader is done: delete the file now, close it once the last worker lets go."""
        self.released = True
        if self.fd >= 0:
            os.unlink(self.path)
        self.let_go(0)

    def let_go(self, users: int) -> None:
        """`users` workers stopped writing to the file."""
        self.users -= users
        if self.released and self.users == 0 and self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class RangedCopies:
    """The local copies of `uris` (in order) under `directory`, fetched by a pool of worker threads."""

    def __init__(self, s3: Any, uris: list[str], directory: str) -> None:
        self._s3 = s3
        self._uris = uris
        self._directory = directory
        self._cond = threading.Condition()
        self._copies: dict[int, ObjectCopy] = {}
        self._reading = 0  # the index of the file being read: fetching runs at most one file past it
        self._started = 0
        self._stopped = False
        self._threads = [threading.Thread(target=self._work, name=f"s3-part-{i}", daemon=True) for i in range(WORKERS)]

    def __enter__(self) -> RangedCopies:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (each finishes the piece in hand), wait for them, delete every local copy."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        with self._cond:
            for index in list(self._copies):
                self._copies.pop(index).release()

    @contextmanager
    def reader(self, index: int) -> Iterator[CopyReader]:
        """The file at `index` as a file object (once its size is known); its local copy is deleted afterwards."""
        with self._cond:
            self._reading = index
            self._cond.notify_all()
            copy = self._until(lambda: index in self._copies and self._copies[index].size is not None, index)
        try:
            yield CopyReader(
                copy.fd,
                copy.size or 0,
                lambda start, stop: self.wait_for(copy, start, stop),
                lambda ranges: self.prefetch(copy, ranges),
            )
        except Exception:
            if copy.error is not None:  # pyarrow may wrap the error a read raised: the S3 error is the one to show
                raise copy.error from None
            raise
        finally:
            with self._cond:
                self._copies.pop(index).release()

    def prefetch(self, copy: ObjectCopy, ranges: list[tuple[int, int]]) -> None:
        """Fetch these [start, stop) ranges of the copy before the in-order bytes (the reader's first batch needs
        them); no in-order run of the file being read starts before they are all written."""
        with self._cond:
            copy.opened = True
            copy.first_pages.extend(ranges)
            if copy.plan is not None:
                for start, stop in ranges:
                    copy.plan.make_urgent(start, stop)
            self._cond.notify_all()

    def wait_for(self, copy: ObjectCopy, start: int, stop: int) -> None:
        """Block until bytes [start, stop) of the copy are written; blocks not yet claimed are fetched next, and
        the `READ_AHEAD_BYTES` after them soon after (pyarrow reads each column chunk sequentially)."""
        with self._cond:
            plan = copy.plan
            if plan is None:
                return
            queued = plan.read_ahead(stop, stop + READ_AHEAD_BYTES)
            if start < plan.end and not copy.opened:  # a data read, not the footer's
                copy.opened = queued = True
            if not plan.covered(start, stop):
                queued = plan.make_urgent(start, stop) or queued
            if queued:
                self._cond.notify_all()
            self._until(lambda: plan.covered(start, stop), copy=copy)

    def _until(self, ready: Callable[[], bool], index: int = -1, copy: ObjectCopy | None = None) -> ObjectCopy:
        """Wait (holding the condition) until `ready()`; raises the copy's error, or if the copies are closed."""
        while not ready():
            failed = copy or self._copies.get(index)
            if failed is not None and failed.error is not None:
                raise failed.error
            if self._stopped:
                raise RuntimeError("the ranged copies were closed while a read waited")
            self._cond.wait()
        return copy or self._copies[index]

    # --- the workers ---------------------------------------------------------------------------------------
    def _work(self) -> None:
        while (task := self._take()) is not None:
            copy, run = task
            try:
                with aws_call("s3:GetObject", what=copy.uri):
                    self._fetch(copy, run)
            except BaseException as exc:  # handed to the reader, which raises it in its own thread
                with self._cond:
                    copy.error = copy.error or exc
            finally:
                with self._cond:
                    copy.let_go(1)
                    self._cond.notify_all()

    def _take(self) -> tuple[ObjectCopy, Run] | None:
        with self._cond:
            while not self._stopped:
                task = self._choose()
                if task is not None:
                    task[0].users += 1
                    return task
                self._cond.wait()
        return None

    def _choose(self) -> tuple[ObjectCopy, Run] | None:
        """Urgent work first (footers, blocks a read waits for), then blocks in file order, then the next file."""
        live = sorted(self._copies.items())
        for urgent in (True, False):
            for index, copy in live:
                run = copy.claim(urgent, being_read=index == self._reading)
                if run is not None:
                    return copy, run
        if self._started <= min(self._reading + 1, len(self._uris) - 1) and all(c.fully_claimed() for _, c in live):
            index = self._started
            self._started += 1
            copy = self._copies[index] = ObjectCopy.create(self._uris[index], f"{self._directory}/{index:05d}.part")
            self._cond.notify_all()  # a reader waiting for this file sees a failed create
            run = copy.claim(True, being_read=index == self._reading)
            return None if run is None else (copy, run)
        return None

    def _fetch(self, copy: ObjectCopy, run: Run) -> None:
        bucket, key = split_s3_uri(copy.uri)
        if run == TAIL:
            size, tail_start = get_tail(self._s3, bucket, key, copy.fd)
            block = min(PIECE_BYTES, PART_BYTES)
            with self._cond:
                copy.plan = PartPlan(tail_start, block, max(1, PART_BYTES // block), max(1, URGENT_BYTES // block))
                copy.size = size
            return
        assert copy.plan is not None
        start, stop = copy.plan.span(run)
        body = self._s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{stop - 1}")["Body"]
        copy_range(body, copy.fd, start, lambda written: self._written(copy, run, written))

    def _written(self, copy: ObjectCopy, run: Run, written: int) -> bool:
        with self._cond:
            assert copy.plan is not None
            copy.plan.written(run, written)
            self._cond.notify_all()
            return not (self._stopped or copy.released)
