"""The protocol messages a read writes besides records: stream statuses, estimates, error traces, STATE.

Error traces are built here for both the per-stream failures of a read and the process's last word
(read_command.py): a user error is not a bug, so what users see carries no Python stack trace. Built by
protocol.py, as plain dicts (no airbyte_cdk on the read path).
"""

from __future__ import annotations

from source_skoot_athena import protocol
from source_skoot_athena.errors import UserError
from source_skoot_athena.protocol import AirbyteStreamStatus, Message
from source_skoot_athena.state import StreamKey, state_message

__all__ = ["error_trace", "estimate", "state_message", "stream_status"]


def stream_status(key: StreamKey, status: AirbyteStreamStatus, *, rate_limited: bool = False) -> Message:
    """A STREAM_STATUS trace (STARTED, RUNNING, COMPLETE, INCOMPLETE) for one stream; `rate_limited` adds the
    protocol's RATE_LIMITED reason (to RUNNING, as the CDK's http_client.py does while it backs off)."""
    return protocol.stream_status(key.name, key.namespace, status, rate_limited=rate_limited)


def estimate(key: StreamKey, rows: int | None, size: int | None) -> Message:
    """An ESTIMATE trace: how many rows and bytes the stream is expected to have (Glue's statistics)."""
    return protocol.estimate(key.name, key.namespace, rows, size)


def error_trace(exc: BaseException, stream: StreamKey | None = None) -> Message:
    """An ERROR trace with secrets filtered; a UserError's carries no stack trace, a bug's keeps it (the CDK's
    `AirbyteTracedException.from_exception`: the generic message, the exception's text, system_error)."""
    where = (stream.name, stream.namespace) if stream is not None else None
    if isinstance(exc, UserError):
        return protocol.error_trace(
            exc.message, internal_message=exc.internal_message, failure_type=exc.failure_type, stream=where
        )
    return protocol.bug_trace(exc, stream=where)
