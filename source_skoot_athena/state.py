"""Per-stream state: the cursor (type-faithful, as Athena renders it) and the progress of an unfinished sync.

A blob looks like `{"cursor_field": "updated_at", "cursor_type": "timestamp(3)", "cursor": "2024-05-01 10:00:00.123"}`,
plus `resume_after` (partition values of the last finished slice) and `pending_cursor` (the sync's fixed upper
bound) while a sync is unfinished. The cursor is kept as Athena's text so a timestamp keeps its fraction, a
decimal its digits and a bigint its exactness; it is turned back into a typed literal by sql.literal().
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateStats,
    AirbyteStateType,
    AirbyteStreamState,
    StreamDescriptor,
    Type,
)

from source_skoot_athena.errors import ConfigError

StreamKey = tuple[str | None, str]


@dataclass
class StreamState:
    """What a stream remembers between syncs (and between the slices of one sync)."""

    cursor_field: str | None = None
    cursor_type: str | None = None
    cursor: str | None = None
    resume_after: list[str | None] | None = None
    pending_cursor: str | None = None

    def to_blob(self) -> dict[str, Any]:
        blob: dict[str, Any] = {}
        if self.cursor_field is not None:
            blob.update(cursor_field=self.cursor_field, cursor_type=self.cursor_type, cursor=self.cursor)
        if self.resume_after is not None:
            blob["resume_after"] = self.resume_after
        if self.pending_cursor is not None:
            blob["pending_cursor"] = self.pending_cursor
        return blob

    @classmethod
    def from_blob(cls, stream: str, blob: Any) -> StreamState:
        """Parse a saved blob; anything malformed is a config error naming the stream and the key."""
        if blob is None:
            return cls()
        if not isinstance(blob, dict):
            raise ConfigError(f"The saved state of stream '{stream}' is not an object: reset the stream's state.")

        def text(key: str) -> str | None:
            value = blob.get(key)
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            raise ConfigError(f"The saved state of stream '{stream}' has a malformed '{key}': {value!r}.")

        resume = blob.get("resume_after")
        if resume is not None and (
            not isinstance(resume, list) or not all(v is None or isinstance(v, str) for v in resume)
        ):
            raise ConfigError(f"The saved state of stream '{stream}' has a malformed 'resume_after': {resume!r}.")
        return cls(
            cursor_field=text("cursor_field"),
            cursor_type=text("cursor_type"),
            cursor=text("cursor"),
            resume_after=resume,
            pending_cursor=text("pending_cursor"),
        )


def parse_states(messages: Sequence[AirbyteStateMessage], logger: logging.Logger) -> dict[StreamKey, StreamState]:
    """Per-stream states from the `--state` input; legacy and global shapes are ignored with a warning."""
    states: dict[StreamKey, StreamState] = {}
    for message in messages:
        if message.type == AirbyteStateType.STREAM and message.stream is not None:
            descriptor = message.stream.stream_descriptor
            blob = message.stream.stream_state
            raw = blob.__dict__ if blob is not None and not isinstance(blob, dict) else blob
            states[(descriptor.namespace, descriptor.name)] = StreamState.from_blob(descriptor.name, raw)
        else:
            logger.warning(
                f"Ignoring a {message.type.value if message.type else 'legacy'} state message: this connector keeps "
                "per-stream states; the affected streams start from the beginning."
            )
    return states


def state_message(key: StreamKey, state: StreamState, record_count: int) -> AirbyteMessage:
    """A per-stream STATE message carrying the records emitted since the stream's previous STATE."""
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name=key[1], namespace=key[0]),
                stream_state=AirbyteStateBlob(**state.to_blob()),
            ),
            sourceStats=AirbyteStateStats(recordCount=float(record_count)),
        ),
    )
