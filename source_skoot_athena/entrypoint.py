"""The command line: the CDK's entrypoint for spec/check/discover, a chunked writer for read.

The CDK's `launch` serialises every record as its own dataclass and print() call (≈85k records/s here). `read`
instead writes the chunks of RECORD lines that encoding/ built, straight to stdout's buffer, and the other
messages (state, trace, log) as the CDK would. Its STATE messages carry the record counts the CDK would add.
User errors end as one error TRACE message without a Python traceback and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import IO

from airbyte_cdk.connector import TConfig
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import AirbyteMessage, ConnectorSpecification, FailureType, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_skoot_athena.errors import UserError
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.read.messages import error_trace
from source_skoot_athena.source import SourceSkootAthena


class SkootEntrypoint(AirbyteEntrypoint):
    """AirbyteEntrypoint whose `read` streams encoded record chunks instead of per-record messages."""

    source: SourceSkootAthena

    def run(self, parsed_args: argparse.Namespace) -> Iterable[str]:
        """The CDK's verbs (what in-process test harnesses call): record chunks become one line each."""
        for item in self.run_output(parsed_args):
            yield item.decode() if isinstance(item, bytes) else item

    def run_output(self, parsed_args: argparse.Namespace) -> Iterator[str | bytes]:
        """What the command line writes: messages as strings, record chunks as encoded bytes."""
        if parsed_args.command != "read":
            yield from super().run(parsed_args)
            return
        yield from self.run_read(parsed_args)

    def check(self, source_spec: ConnectorSpecification, config: TConfig) -> Iterable[AirbyteMessage]:
        """The CDK's check, minus its generic JSON-schema pass: config.py names the field in every error."""
        self.set_up_secret_filter(config, source_spec.connectionSpecification)
        status = self.source.check(self.logger, config)
        yield from self._emit_queued_messages(self.source)
        yield AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=status)

    def run_read(self, parsed_args: argparse.Namespace) -> Iterator[str | bytes]:
        source_spec = self.source.spec(self.logger)
        config = self.source.read_config(parsed_args.config)
        self.set_up_secret_filter(config, source_spec.connectionSpecification)
        if self.source.check_config_against_spec:
            self.validate_connection(source_spec, config)
        catalog = self.source.read_catalog(parsed_args.catalog)
        state = self.source.read_state(parsed_args.state)
        for item in self.source.read_output(self.logger, config, catalog, state):
            if isinstance(item, RecordChunk):
                yield item.data
            else:
                yield self.airbyte_message_to_string(item)


def _write(out: IO[bytes], text_out: IO[str], item: str | bytes) -> None:
    if isinstance(item, bytes):
        text_out.flush()  # log lines written through the text layer must stay in order
        out.write(item)
    else:
        out.write(item.encode() + b"\n")


def _emit_error(out: IO[bytes], exc: AirbyteTracedException) -> None:
    out.write(AirbyteEntrypoint.airbyte_message_to_string(error_trace(exc)).encode() + b"\n")


def launch(args: list[str]) -> int:
    """Run one verb; return the process exit code."""
    source = SourceSkootAthena()
    entrypoint = SkootEntrypoint(source)
    parsed_args = entrypoint.parse_args(args)
    out = sys.stdout.buffer

    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        source.stop_running_queries()
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for item in entrypoint.run_output(parsed_args):
            _write(out, sys.stdout, item)
    except AirbyteTracedException as exc:
        sys.stdout.flush()
        _emit_error(out, exc)
        out.flush()
        return 1
    except KeyboardInterrupt as exc:
        sys.stdout.flush()
        _emit_error(
            out,
            UserError(
                f"The sync was interrupted ({exc}); running Athena queries were stopped.",
                failure_type=FailureType.transient_error,
            ),
        )
        out.flush()
        if received:
            # End as the signal would have ended us (exit status -SIGTERM), as clients such as PyAirbyte expect
            # of a connector they stop once they have what they asked for.
            signal.signal(received[0], signal.SIG_DFL)
            os.kill(os.getpid(), received[0])
        return 1
    except Exception as exc:  # a bug: report it as a trace (with its stack trace for the developers)
        sys.stdout.flush()
        _emit_error(out, AirbyteTracedException.from_exception(exc))
        out.flush()
        return 1
    sys.stdout.flush()
    out.flush()
    return 0
