"""Log records as Airbyte LOG messages on stdout, as the CDK's `AirbyteLogFormatter` writes them (airbyte_cdk/
logger.py), for the `read` verb, which does not import airbyte_cdk.

Same behaviour: Python levels map to the protocol's (WARNING -> WARN); the text is the record's message with its
exception's traceback, secrets masked; debug records (with `--debug`) are the CDK's `{"type": "DEBUG", …}` lines,
or LOG messages when the platform asks for debug logs (`LOG_LEVEL=debug`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

import orjson

from source_skoot_athena.protocol import log_message
from source_skoot_athena.secrets import filter_secrets

LEVELS = {
    logging.FATAL: "FATAL",
    logging.ERROR: "ERROR",
    logging.WARNING: "WARN",
    logging.INFO: "INFO",
    logging.DEBUG: "DEBUG",
}
_PLAIN_RECORD_KEYS = frozenset(logging.LogRecord("", 0, "", 0, None, None, None).__dict__)


def platform_debug() -> bool:
    return os.environ.get("LOG_LEVEL", "info").lower() == "debug"


class ProtocolLogFormatter(logging.Formatter):
    """One log record as one protocol line (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__("%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        level = LEVELS.get(record.levelno, "INFO")
        if level != "DEBUG":
            return orjson.dumps(log_message(level, super().format(record))).decode()
        extras = extras_of(record)
        if platform_debug():
            text = f"{record.getMessage()} ///\nExtra logs: {filter_secrets(json.dumps(extras))}"
            return orjson.dumps(log_message(level, text)).decode()
        return filter_secrets(json.dumps({"type": "DEBUG", "message": record.getMessage(), "data": extras}))


def install_protocol_logging(*, debug: bool) -> logging.Logger:
    """Every log record to stdout as a protocol line (the root's only handler, as the CDK's `init_logger` sets
    it); the connector's logger at INFO, or DEBUG with `--debug` or `LOG_LEVEL=debug`."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(ProtocolLogFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    logger = logging.getLogger("airbyte")
    logger.setLevel(logging.DEBUG if debug or platform_debug() else logging.INFO)
    return logger


def extras_of(record: logging.LogRecord) -> dict[str, Any]:
    """What the record got through `extra=` (the CDK's `extract_extra_args_from_record`)."""
    return {k: str(v) for k, v in record.__dict__.items() if k not in _PLAIN_RECORD_KEYS}
