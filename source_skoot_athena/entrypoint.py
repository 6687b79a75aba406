"""The command line: `read` on its own CDK-free path (read_command.py), spec/check/discover through the CDK's
entrypoint (cdk_entrypoint.py); the same writing, signal handling and last-word error trace for both.

Why two paths: importing airbyte_cdk costs ≈1–2 s and ≈70 MB (its package `__init__` imports nearly all of it);
`read` pays neither, so its first query is submitted within a fraction of a second. This module imports neither
path until argv says which verb runs.

Output: record chunks go straight to stdout's buffer; log lines written through the text layer are flushed first
so the order holds. User errors end as one error TRACE message without a Python traceback and exit code 1.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import IO, Protocol

from source_skoot_athena.errors import FailureType, UserError


class Command(Protocol):
    """One verb's run: its output lines, how to stop it (on a signal), how a failure is written."""

    def output(self) -> Iterator[str | bytes]: ...

    def stop(self) -> None: ...

    def error_line(self, exc: BaseException) -> bytes: ...


def verb_of(args: list[str]) -> str | None:
    """The verb: the first argument that is not an option (the CDK's parser takes the subcommand first)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def command_for(args: list[str]) -> Command:
    if verb_of(args) == "read":
        from source_skoot_athena.gc_pause import STARTUP

        STARTUP.pause()  # until Athena has the first query (gc_pause.py): read_command's imports are most of start-up
        from source_skoot_athena.read_command import ReadCommand

        return ReadCommand(args)
    from source_skoot_athena.cdk_entrypoint import CdkCommand

    return CdkCommand(args)


def _write(out: IO[bytes], text_out: IO[str], item: str | bytes) -> None:
    if isinstance(item, bytes):
        text_out.flush()  # log lines written through the text layer must stay in order
        out.write(item)
    else:
        out.write(item.encode() + b"\n")


def _last_word(out: IO[bytes], line: bytes) -> int:
    sys.stdout.flush()
    out.write(line)
    out.flush()
    return 1


def launch(args: list[str]) -> int:
    """Run one verb; return the process exit code."""
    command = command_for(args)
    out = sys.stdout.buffer
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        command.stop()
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for item in command.output():
            _write(out, sys.stdout, item)
    except KeyboardInterrupt as exc:
        interrupted = UserError(
            f"The sync was interrupted ({exc}); running Athena queries were stopped.",
            failure_type=FailureType.transient_error,
        )
        _last_word(out, command.error_line(interrupted))
        if received:
            # End as the signal would have ended us (exit status -SIGTERM), as clients such as PyAirbyte expect
            # of a connector they stop once they have what they asked for.
            signal.signal(received[0], signal.SIG_DFL)
            os.kill(os.getpid(), received[0])
        return 1
    except Exception as exc:  # a user error (no stack trace) or a bug (with its stack trace for the developers)
        return _last_word(out, command.error_line(exc))
    sys.stdout.flush()
    out.flush()
    return 0
