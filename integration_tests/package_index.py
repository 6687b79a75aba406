"""Whether pip can reach its package index, probed once per session.

Why: the packaging replay and PyAirbyte's venv install from the index. Without it they cannot run, and that must
show as a skip that says why, never as a silent pass or as a failure of the connector.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile

import pytest

# A tiny wheel (about 11 KB), pinned so the probe asks for one exact file.
PROBE_REQUIREMENT = "six==1.16.0"
PROBE_TIMEOUT_S = 30


@functools.cache
def unreachable_reason() -> str | None:
    """None when `pip download` of PROBE_REQUIREMENT succeeds (no cache, no retries); else the reason."""
    with tempfile.TemporaryDirectory() as dest:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--retries",
            "0",
            "--timeout",
            "10",
            "--dest",
            dest,
            PROBE_REQUIREMENT,
        ]
        try:
            probe = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"the package index did not answer `pip download {PROBE_REQUIREMENT}` within {PROBE_TIMEOUT_S} s"
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        return f"the package index is unreachable (`pip download {PROBE_REQUIREMENT}` failed: {last})"
    return None


def skip_unless_reachable(needs: str) -> None:
    """pytest.skip, naming what needed the index and why it is unreachable, when it is."""
    reason = unreachable_reason()
    if reason is not None:
        pytest.skip(f"{needs} needs the package index: {reason}")
