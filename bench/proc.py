"""Run one measured subprocess: wall time and the peak RSS of the measured program alone.

Peak RSS comes from ``/usr/bin/time -f %M`` (GNU time forks the program from its own small process and reports
the program's ``ru_maxrss``, and its user + system CPU seconds). Taking ``ru_maxrss`` of a direct child of this process would be wrong: a child
forked from the benchmark process (hundreds of MB with the stand-in, pyarrow and moto loaded) keeps that
high-water mark across ``exec``. Without GNU time, ``VmHWM`` in /proc/PID/status (reset by exec) is polled.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass(frozen=True)
class Measured:
    """One run of one command."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    cpu_s: float | None
    stderr_tail: str


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            m = re.search(r"^VmHWM:\s+(\d+) kB", fh.read(), re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def measure(
    argv: list[str], env: dict[str, str], *, timeout_s: float, stdout_path: str | None = None, cwd: str | None = None
) -> Measured:
    """Run ``argv`` with stdout to /dev/null (or ``stdout_path``), stderr to a temp file; kill at ``timeout_s``."""
    with (
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file,
        open(stdout_path or os.devnull, "wb") as out,
    ):
        full = [GNU_TIME, "-f", "%M %U %S", "-o", rss_file.name, *argv] if GNU_TIME else argv
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        hwm = 0
        try:
            while proc.poll() is None:
                if not GNU_TIME:
                    hwm = max(hwm, _vm_hwm_kib(proc.pid) or 0)
                if time.perf_counter() - started > timeout_s:
                    proc.kill()
                    proc.wait()
                    break
                time.sleep(0.005 if GNU_TIME else 0.02)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        wall = time.perf_counter() - started
        cpu = None
        if GNU_TIME:
            text = rss_file.read().strip().splitlines()
            fields = text[-1].split() if text else []
            if len(fields) == 3:
                hwm, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        err.seek(0)
        tail = err.read()[-4000:].decode("utf-8", "replace")
    return Measured(wall, hwm / 1024, proc.returncode, cpu, tail)
