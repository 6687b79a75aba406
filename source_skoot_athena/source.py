"""SourceSkootAthena: thin wiring of spec, check, discover and read onto the modules that do the work."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import orjson
from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Status,
    Type,
)
from airbyte_cdk.sources.source import Source
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

from source_skoot_athena.aws import AwsClients
from source_skoot_athena.catalog import discover_tables
from source_skoot_athena.cdk_bridge import cdk_message, cdk_state_messages, state_dicts, traced
from source_skoot_athena.check import run_check
from source_skoot_athena.config import SPEC, parse_config
from source_skoot_athena.config_file import read_config_file
from source_skoot_athena.configured_catalog import read_catalog_file
from source_skoot_athena.discover import build_catalog
from source_skoot_athena.errors import UserError
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.protocol import Message
from source_skoot_athena.secrets import secret_values, use_secrets
from source_skoot_athena.state import parse_states, read_state_file


class SourceSkootAthena(Source):
    """Airbyte source for AWS Athena, as the CDK's entrypoint and in-process harnesses see it (the command line's
    `read` runs without the CDK: read_command.py).

    Built on `Source`, not `AbstractSource`: AbstractSource looks streams up by name alone (two tables of the
    same name in two databases would collide) and emits records one dataclass at a time; this source identifies
    streams by (namespace, name) and emits records in encoded chunks (see output.py).
    """

    # config.py validates every field itself and names the field in its message; the CDK's generic JSON-schema
    # check would answer first with "10 is less than the minimum of 1000" and no field name.
    check_config_against_spec = False

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """FAILED for what the user must fix (config_error); anything else (AWS throttling or down, an Athena
        SYSTEM error, a bug) is raised, as the CDK's `AirbyteEntrypoint.check` does: an error trace and a non-zero
        exit, which the platform reports as an unexpected failure rather than as a wrong setting."""
        try:
            parsed = parse_config(config)
            run_check(AwsClients(parsed), parsed, logger)
        except UserError as exc:
            if exc.failure_type != FailureType.config_error:
                raise traced(exc) from exc
            logger.error(f"Check failed: {exc.message}")
            return AirbyteConnectionStatus(status=Status.FAILED, message=filter_secrets(exc.message or ""))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    @staticmethod
    def read_config(config_path: str) -> MutableMapping[str, Any]:
        """The `--config` file; unreadable or not a JSON object is a config error, not a traceback."""
        return read_config_file(config_path)

    @classmethod
    def read_catalog(cls, catalog_path: str) -> ConfiguredAirbyteCatalog:
        """The `--catalog` file (configured_catalog.py: the read's own parser); a malformed one is a config error
        naming the file, not a traceback."""
        return ConfiguredAirbyteCatalog(streams=read_catalog_file(catalog_path))

    @classmethod
    def read_state(cls, state_path: str) -> list[AirbyteStateMessage]:
        """The `--state` file: a legacy one is ignored with a warning, a malformed one is a config error."""
        return cdk_state_messages(read_state_file(state_path, logging.getLogger("airbyte")))

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        try:
            parsed = parse_config(config)
            tables = discover_tables(AwsClients(parsed), parsed, logger)
        except UserError as exc:
            raise traced(exc) from exc
        logger.info(f"Discovered {len(tables)} streams.")
        return build_catalog(tables, logger)

    def read_output(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[RecordChunk | Message]:
        """The sync as the command line writes it: encoded record chunks interleaved with other messages."""
        from source_skoot_athena.memory import release_memory_promptly
        from source_skoot_athena.read.catalog_read import CatalogRead  # the read machinery: spec/check stay light

        use_secrets(secret_values(SPEC["connectionSpecification"], config))
        saved = parse_states(state_dicts(state or []), logger)
        release_memory_promptly()
        parsed = parse_config(config)
        self._read = CatalogRead(parsed, AwsClients(parsed), logger)
        yield from self._read.run(catalog.streams, saved)

    def stop_running_queries(self) -> None:
        """On SIGTERM/SIGINT: stop the sync's running Athena queries so none is left running (and billing)."""
        read = getattr(self, "_read", None)
        if read is not None:
            read.stop()

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        """The CDK's interface (used by in-process test harnesses): the same messages, one record at a time; a
        failed read ends with the CDK's exception type."""
        try:
            for item in self.read_output(logger, config, catalog, state):
                if isinstance(item, RecordChunk):
                    yield from _record_messages(item)
                else:
                    yield cdk_message(item)
        except UserError as exc:
            raise traced(exc) from exc


def _record_messages(chunk: RecordChunk) -> Iterator[AirbyteMessage]:
    for line in chunk.data.split(b"\n")[:-1]:
        record = orjson.loads(line)["record"]
        yield AirbyteMessage(
            type=Type.RECORD,
            record=AirbyteRecordMessage(
                stream=record["stream"],
                namespace=record.get("namespace"),
                data=record["data"],
                emitted_at=record["emitted_at"],
            ),
        )
