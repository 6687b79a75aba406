"""spec, check and discover through the CDK's entrypoint (and `read` for in-process harnesses that call
`SkootEntrypoint.run`); the command line's `read` takes read_command.py instead (entrypoint.py says why).

`SkootEntrypoint.run_read` writes the same chunks of RECORD lines and orjson-built messages as the command line.
Its STATE messages carry the record counts the CDK would add.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson
from airbyte_cdk.connector import TConfig
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import AirbyteMessage, ConnectorSpecification, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_skoot_athena.cdk_bridge import TracedUserError
from source_skoot_athena.errors import UserError
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.protocol import to_line
from source_skoot_athena.read.messages import error_trace
from source_skoot_athena.secrets import secret_values, use_secrets
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

    @staticmethod
    def set_up_secret_filter(config: TConfig, connection_specification: Mapping[str, Any]) -> None:
        """The CDK's secret filter and ours (secrets.py: what our error traces and LOG lines are masked with)."""
        AirbyteEntrypoint.set_up_secret_filter(config, connection_specification)
        use_secrets(secret_values(connection_specification, config))

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
        catalog = self.source.read_catalog(parsed_args.catalog)
        state = self.source.read_state(parsed_args.state)
        for item in self.source.read_output(self.logger, config, catalog, state):
            yield item.data if isinstance(item, RecordChunk) else orjson.dumps(item).decode()


class CdkCommand:
    """A spec/check/discover run for entrypoint.launch."""

    def __init__(self, args: list[str]) -> None:
        self._source = SourceSkootAthena()
        self._entrypoint = SkootEntrypoint(self._source)
        self._parsed = self._entrypoint.parse_args(args)

    def output(self) -> Iterator[str | bytes]:
        return self._entrypoint.run_output(self._parsed)

    def stop(self) -> None:
        self._source.stop_running_queries()

    @staticmethod
    def error_line(exc: BaseException) -> bytes:
        """A UserError without stack trace; the CDK's own exceptions as the CDK writes them; a bug with its trace."""
        if isinstance(exc, TracedUserError):
            exc = exc.user_error
        if isinstance(exc, UserError):
            return to_line(error_trace(exc))
        traced_exc = exc if isinstance(exc, AirbyteTracedException) else AirbyteTracedException.from_exception(exc)
        return AirbyteEntrypoint.airbyte_message_to_string(traced_exc.as_sanitized_airbyte_message()).encode() + b"\n"
