"""The protocol messages a read writes besides records: stream statuses, estimates, error traces, STATE.

Error traces are built here for both the per-stream failures of a read and the process's last word
(entrypoint.py): a user error is not a bug, so what users see carries no Python stack trace.
"""

from __future__ import annotations

import time

from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteStreamStatus,
    AirbyteStreamStatusReason,
    AirbyteStreamStatusReasonType,
    AirbyteTraceMessage,
    EstimateType,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_skoot_athena.errors import UserError
from source_skoot_athena.state import StreamKey, state_message

__all__ = ["descriptor", "error_trace", "estimate", "state_message", "stream_status"]


def descriptor(key: StreamKey) -> StreamDescriptor:
    return StreamDescriptor(name=key.name, namespace=key.namespace)


def stream_status(key: StreamKey, status: AirbyteStreamStatus, *, rate_limited: bool = False) -> AirbyteMessage:
    """A STREAM_STATUS trace (STARTED, RUNNING, COMPLETE, INCOMPLETE) for one stream; `rate_limited` adds the
    protocol's RATE_LIMITED reason (to RUNNING, as the CDK's http_client.py does while it backs off)."""
    reasons = [AirbyteStreamStatusReason(type=AirbyteStreamStatusReasonType.RATE_LIMITED)] if rate_limited else None
    return as_airbyte_message(descriptor(key), status, reasons)


def estimate(key: StreamKey, rows: int | None, size: int | None) -> AirbyteMessage:
    """An ESTIMATE trace: how many rows and bytes the stream is expected to have (Glue's statistics)."""
    return AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ESTIMATE,
            emitted_at=time.time() * 1000,
            estimate=AirbyteEstimateTraceMessage(
                name=key.name, namespace=key.namespace, type=EstimateType.STREAM, row_estimate=rows, byte_estimate=size
            ),
        ),
    )


def error_trace(exc: AirbyteTracedException, stream: StreamKey | None = None) -> AirbyteMessage:
    """An ERROR trace with secrets filtered; a UserError's carries no stack trace, a bug's keeps it."""
    message: AirbyteMessage = exc.as_sanitized_airbyte_message(
        stream_descriptor=descriptor(stream) if stream is not None else None
    )
    if isinstance(exc, UserError) and message.trace is not None and message.trace.error is not None:
        message.trace.error.stack_trace = None
    return message
