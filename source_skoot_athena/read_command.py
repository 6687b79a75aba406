"""The `read` verb's command line, without airbyte_cdk: its import would cost ≈1–2 s and ≈70 MB before the first
query is submitted (issue 17), so `read` parses its arguments, config, catalog and state itself and writes every
protocol message with orjson (protocol.py), exactly as the CDK would.

Order of work: config (and its secrets, masked from then on), logging, catalog, state; then the read, whose first
query starts as soon as the first stream is planned; pyarrow and the result readers load while it runs
(read/result_path.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from source_skoot_athena.aws import AwsClients
from source_skoot_athena.config import SPEC, parse_config
from source_skoot_athena.config_file import read_config_file
from source_skoot_athena.configured_catalog import read_catalog_file
from source_skoot_athena.gc_pause import STARTUP
from source_skoot_athena.output import RecordChunk
from source_skoot_athena.protocol import to_line
from source_skoot_athena.protocol_logging import install_protocol_logging
from source_skoot_athena.read.catalog_read import CatalogRead
from source_skoot_athena.read.messages import error_trace
from source_skoot_athena.secrets import secret_values, use_secrets
from source_skoot_athena.state import parse_states, read_state_file


def parse_read_args(args: list[str]) -> argparse.Namespace:
    """`read --config PATH --catalog PATH [--state PATH] [--debug]`, the arguments the CDK's entrypoint takes."""
    parser = argparse.ArgumentParser(prog="source-skoot-athena read")
    parser.add_argument("command", choices=["read"])
    parser.add_argument("--debug", action="store_true", help="enables detailed debug logs related to the sync")
    parser.add_argument("--state", type=str, required=False, help="path to the json-encoded state file")
    parser.add_argument("--config", type=str, required=True, help="path to the json configuration file")
    parser.add_argument(
        "--catalog", type=str, required=True, help="path to the catalog used to determine which data to read"
    )
    parser.add_argument("--manifest-path", type=str, required=False, help=argparse.SUPPRESS)
    parser.add_argument("--components-path", type=str, required=False, help=argparse.SUPPRESS)
    return parser.parse_args(args)


class ReadCommand:
    """One `read` run for entrypoint.launch: its output lines, how to stop it, how its failure is written."""

    def __init__(self, args: list[str]) -> None:
        self._args = parse_read_args(args)
        self._read: CatalogRead | None = None

    def output(self) -> Iterator[bytes]:
        """Record chunks as they are, every other message as one orjson line."""
        try:
            yield from self._output()
        finally:
            STARTUP.resume()  # normally done once Athena accepted the first query; here if none was started

    def _output(self) -> Iterator[bytes]:
        config = read_config_file(self._args.config)
        use_secrets(secret_values(SPEC["connectionSpecification"], config))
        logger = install_protocol_logging(debug=self._args.debug)
        streams = read_catalog_file(self._args.catalog)
        saved = parse_states(read_state_file(self._args.state, logger), logger)
        parsed = parse_config(config)
        read = self._read = CatalogRead(parsed, AwsClients(parsed), logger)
        for item in read.run(streams, saved):
            yield item.data if isinstance(item, RecordChunk) else to_line(item)

    def stop(self) -> None:
        """On SIGTERM/SIGINT: stop the sync's running Athena queries so none is left running (and billing)."""
        if self._read is not None:
            self._read.stop()

    @staticmethod
    def error_line(exc: BaseException) -> bytes:
        return to_line(error_trace(exc))
