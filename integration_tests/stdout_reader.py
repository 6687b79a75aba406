"""Read a running connector's output while the test waits: the pipes are drained on threads, each stdout line is
protocol-validated, and a deadline fires even when the connector prints nothing.

Why: a test that waits without reading lets the 64 KiB pipe fill and blocks the connector (it then only looks
slow); a loop over ``process.stdout`` checks its deadline only when a line arrives, so a silent hang would run
into pytest's own timeout instead of failing with a message.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from integration_tests.protocol import parse_line, strict_json

_EOF = object()


class StdoutReader:
    """Drains ``process``'s stdout (validated messages, in order) and stderr (kept as text)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None and process.stderr is not None, "spawn with text pipes"
        self.process = process
        self.messages: list[dict[str, Any]] = []
        self._stderr: list[str] = []
        self._lines: queue.Queue[Any] = queue.Queue()
        self._stdout_thread = threading.Thread(target=self._drain_stdout, args=(process.stdout,), daemon=True)
        self._stderr_thread = threading.Thread(target=self._drain_stderr, args=(process.stderr,), daemon=True)
        self._stdout_thread.start()
        self._stderr_thread.start()
        self._count = 0

    def _drain_stdout(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(_EOF)

    def _drain_stderr(self, stream: IO[str]) -> None:
        for line in stream:
            self._stderr.append(line)

    def _take(self, line: str) -> dict[str, Any]:
        self._count += 1
        if not line.endswith("\n"):  # cut off by a kill: not a message the connector finished writing
            raise EOFError
        parse_line(line[:-1], self._count)
        message: dict[str, Any] = strict_json(line)
        self.messages.append(message)
        return message

    def next_message(self, timeout: float) -> dict[str, Any] | None:
        """The next stdout message, None at end of output; AssertionError when none comes within `timeout` s."""
        try:
            line = self._lines.get(timeout=max(timeout, 0))
        except queue.Empty:
            raise AssertionError(f"no output from the connector within {timeout:.0f} s") from None
        if line is _EOF:
            self._lines.put(_EOF)
            return None
        try:
            return self._take(line)
        except EOFError:
            return None

    def until(self, wanted: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        """Read up to the first message for which `wanted` is true; fails at `timeout` s or end of output."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next_message(deadline - time.monotonic())
            assert message is not None, f"the connector ended before the awaited message: {self.messages[-5:]}"
            if wanted(message):
                return message

    def finish(self, timeout: float) -> list[dict[str, Any]]:
        """Wait for the process to exit and read everything it wrote; all messages, in order."""
        self.process.wait(timeout)
        self._stdout_thread.join(timeout)
        self._stderr_thread.join(timeout)
        while self.next_message(0.0 if not self._stdout_thread.is_alive() else timeout) is not None:
            pass
        return self.messages

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)
