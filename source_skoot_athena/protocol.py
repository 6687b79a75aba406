"""Airbyte protocol messages of the `read` verb, built as plain dicts and written with orjson — no airbyte_cdk.

Why: importing anything from airbyte_cdk runs its package `__init__` (≈1–2 s and ≈70 MB here), which would delay
the first query of every sync. Each builder gives exactly the JSON the CDK writes for the same message
(`AirbyteEntrypoint.airbyte_message_to_string`: serpyco with None fields left out, fields in the protocol's
order); unit_tests/test_protocol_messages.py compares them with the CDK's serializer, field for field.
Error and log texts go through secrets.filter_secrets, as the CDK's traced exceptions and log formatter do.
"""

from __future__ import annotations

import time
import traceback
from datetime import datetime
from typing import Any

import orjson

# The protocol's own enums: airbyte_protocol_dataclasses is the protocol package the CDK's models re-export
# (airbyte_cdk/models/airbyte_protocol.py: `from airbyte_protocol_dataclasses.models import *`), so these are the
# very classes the CDK uses, at ≈0.02 s of import instead of the CDK's ≈1–2 s.
from airbyte_protocol_dataclasses.models import AirbyteStreamStatus, ConfiguredAirbyteStream, FailureType, SyncMode

from source_skoot_athena.secrets import filter_secrets

__all__ = ["AirbyteStreamStatus", "ConfiguredAirbyteStream", "FailureType", "Message", "SyncMode"]

# One protocol message, JSON-ready (an AirbyteMessage as the CDK's serializer would dump it).
Message = dict[str, Any]

# The CDK's text for an error trace without a user-facing message (airbyte_cdk/utils/traced_exception.py).
GENERIC_ERROR = "Something went wrong in the connector. See the logs for more details."


def to_line(message: Message) -> bytes:
    """One message as a stdout line (orjson, as the CDK's entrypoint serialises)."""
    return orjson.dumps(message) + b"\n"


def descriptor(name: str, namespace: str | None) -> dict[str, Any]:
    return {"name": name} if namespace is None else {"name": name, "namespace": namespace}


def state_message(name: str, namespace: str | None, blob: dict[str, Any], record_count: int) -> Message:
    """A per-stream STATE carrying the records emitted since the stream's previous STATE (as a float, as the
    CDK's record counting writes it)."""
    return {
        "type": "STATE",
        "state": {
            "type": "STREAM",
            "stream": {"stream_descriptor": descriptor(name, namespace), "stream_state": blob},
            "sourceStats": {"recordCount": float(record_count)},
        },
    }


def stream_status(
    name: str, namespace: str | None, status: AirbyteStreamStatus, *, rate_limited: bool = False
) -> Message:
    """A STREAM_STATUS trace; stamped as airbyte_cdk/utils/stream_status_utils.py stamps it (float ms)."""
    body: dict[str, Any] = {"stream_descriptor": descriptor(name, namespace), "status": status.value}
    if rate_limited:
        body["reasons"] = [{"type": "RATE_LIMITED"}]
    return _trace("STREAM_STATUS", datetime.now().timestamp() * 1000.0, stream_status=body)


def estimate(name: str, namespace: str | None, rows: int | None, size: int | None) -> Message:
    """An ESTIMATE trace (type STREAM) of how many rows and bytes a stream is expected to have."""
    body: dict[str, Any] = {"name": name, "type": "STREAM"}
    if namespace is not None:
        body["namespace"] = namespace
    if rows is not None:
        body["row_estimate"] = rows
    if size is not None:
        body["byte_estimate"] = size
    return _trace("ESTIMATE", time.time() * 1000, estimate=body)


def error_trace(
    message: str | None,
    *,
    internal_message: str | None,
    failure_type: FailureType,
    stack_trace: str | None = None,
    stream: tuple[str, str | None] | None = None,
) -> Message:
    """An ERROR trace, secrets filtered (the CDK's `as_sanitized_airbyte_message`); `stream` is (name, namespace)."""
    error: dict[str, Any] = {"message": filter_secrets(message or GENERIC_ERROR)}
    if internal_message is not None:
        error["internal_message"] = filter_secrets(internal_message)
    if stack_trace is not None:
        error["stack_trace"] = filter_secrets(stack_trace)
    error["failure_type"] = failure_type.value
    if stream is not None:
        error["stream_descriptor"] = descriptor(*stream)
    return _trace("ERROR", time.time_ns() // 1_000_000, error=error)


def bug_trace(exc: BaseException, stream: tuple[str, str | None] | None = None) -> Message:
    """An unexpected exception (a bug) as the CDK's `AirbyteTracedException.from_exception` reports it: the
    generic message, the exception's text and its stack trace, system_error."""
    stack = "".join(traceback.TracebackException.from_exception(exc).format())
    return error_trace(
        None, internal_message=str(exc), failure_type=FailureType.system_error, stack_trace=stack, stream=stream
    )


def log_message(level: str, text: str) -> Message:
    """A LOG message (level FATAL, ERROR, WARN, INFO, DEBUG or TRACE), secrets filtered."""
    return {"type": "LOG", "log": {"level": level, "message": filter_secrets(text)}}


def _trace(kind: str, emitted_at: float, **body: Any) -> Message:
    return {"type": "TRACE", "trace": {"type": kind, "emitted_at": emitted_at, **body}}
