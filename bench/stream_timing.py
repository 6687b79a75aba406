"""One measured subprocess whose stdout is timed as it grows: when the first and the last RECORD line arrived.

Why: a read's wall time mixes start-up, the query and streaming. The child writes stdout to a regular file
(as cheap for it as /dev/null, and no reader to wake on every write); this process samples the file's size
every few milliseconds, then finds the byte offsets of the first and last RECORD line in it and looks up when
the file first reached them. Peak RSS comes from GNU time as in bench/proc.py.
"""

from __future__ import annotations

import bisect
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.proc import GNU_TIME

RECORD_PREFIX = b'{"type":"RECORD"'
READ_BYTES = 8 << 20
POLL_S = 0.002


@dataclass(frozen=True)
class StreamTiming:
    """Wall-clock (``time.time()``) instants of one run, its record count, peak RSS and exit status."""

    started: float
    first_record: float | None
    last_record: float | None
    ended: float
    records: int
    peak_rss_mb: float
    cpu_s: float
    returncode: int
    stderr_tail: str

    @property
    def streaming_rate(self) -> float | None:
        """Records per second after the first record arrived."""
        if self.first_record is None or self.last_record is None or self.last_record <= self.first_record:
            return None
        return self.records / (self.last_record - self.first_record)


@dataclass(frozen=True)
class RecordSpan:
    """Where the RECORD lines of an output file are: first line's start, last line's end, how many."""

    first_start: int | None
    last_end: int | None
    records: int


def record_span(path: Path) -> RecordSpan:
    """Scan ``path`` in 8 MiB chunks (``bytes.count``/``find`` at C speed); a prefix cut by a chunk boundary is
    caught by carrying the previous chunk's last bytes."""
    keep = len(RECORD_PREFIX) - 1
    records, first, last_start, offset, carry = 0, None, None, 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(READ_BYTES):
            window = carry + chunk
            base = offset - len(carry)
            found = window.count(RECORD_PREFIX)
            if found:
                records += found
                first = base + window.find(RECORD_PREFIX) if first is None else first
                last_start = base + window.rfind(RECORD_PREFIX)
            offset += len(chunk)
            carry = window[-keep:]  # shorter than a prefix: no prefix is counted twice
    if last_start is None:
        return RecordSpan(None, None, 0)
    with path.open("rb") as fh:
        fh.seek(last_start)
        line = fh.readline()
    return RecordSpan(first, last_start + len(line), records)


def _rss_and_cpu(rss_path: str) -> tuple[float, float]:
    """GNU time's ``%M %U %S``: peak RSS in MB, user + system CPU seconds."""
    with open(rss_path) as fh:
        lines = fh.read().strip().splitlines()
    fields = lines[-1].split() if lines else []
    if len(fields) != 3 or not fields[0].isdigit():
        return 0.0, 0.0
    return int(fields[0]) / 1024, float(fields[1]) + float(fields[2])


def _reached(samples: list[tuple[int, float]], size: int | None) -> float | None:
    """When the sampled file size first reached ``size`` bytes."""
    if size is None:
        return None
    index = bisect.bisect_left([s for s, _ in samples], size)
    return samples[index][1] if index < len(samples) else None


def _sample(proc: subprocess.Popen[bytes], out_fd: int, started: float, timeout_s: float) -> list[tuple[int, float]]:
    samples: list[tuple[int, float]] = []
    last = -1
    while proc.poll() is None:
        size = os.fstat(out_fd).st_size
        if size != last:
            samples.append((size, time.time()))
            last = size
        if time.time() - started > timeout_s:
            proc.kill()
        time.sleep(POLL_S)
    samples.append((os.fstat(out_fd).st_size, time.time()))
    return samples


def timed_stream(argv: list[str], env: dict[str, str], *, timeout_s: float) -> StreamTiming:
    """Run ``argv`` with stdout to a temp file, and time the RECORD lines in it (killed at ``timeout_s``)."""
    with (
        tempfile.TemporaryDirectory(prefix="skoot-stream-") as tmp,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file,
    ):
        out_path = Path(tmp) / "stdout.jsonl"
        full = [GNU_TIME, "-f", "%M %U %S", "-o", rss_file.name, *argv] if GNU_TIME else argv
        with out_path.open("wb") as out:
            started = time.time()
            proc = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
            try:
                samples = _sample(proc, out.fileno(), started, timeout_s)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
        ended = time.time()
        span = record_span(out_path)
        err.seek(0)
        tail = err.read()[-4000:].decode("utf-8", "replace")
        rss, cpu = _rss_and_cpu(rss_file.name) if GNU_TIME else (0.0, 0.0)
    first_byte = None if span.first_start is None else span.first_start + 1
    first, last = _reached(samples, first_byte), _reached(samples, span.last_end)
    return StreamTiming(started, first, last, ended, span.records, rss, cpu, proc.returncode, tail)
