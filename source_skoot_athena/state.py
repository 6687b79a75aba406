"""Per-stream state: the cursor (type-faithful, as Athena renders it) and the progress of an unfinished sync.

A blob looks like `{"cursor_field": "updated_at", "cursor_type": "timestamp(3)", "cursor": "2024-05-01 10:00:00.123"}`,
plus `resume_after` (partition values of the last finished slice; for an unpartitioned table read by files,
`resume_after_file`: the `s3://` path of the last file of the last finished slice, with `table_version`: the
Iceberg snapshot or Delta log version it was read at, format_files.py) and `pending_cursor` (the
sync's fixed upper bound) while a sync is unfinished. With a partition-key cursor, `recent_files` lists the data files already read
of the most recent partitions (file_increments.py): `[{"partition": ["2024-05-01"], "files": ["part-0.parquet"]}]`,
file names relative to the partition's folder. A full-refresh stream that finished ends with the CDK's terminal
blob `{"__ab_full_refresh_sync_complete": true}`, so a retry of the same job does not read it again. The cursor is
kept as Athena's text so a timestamp keeps its fraction, a
decimal its digits and a bigint its exactness; it is turned back into a typed literal by sql.literal().
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from source_skoot_athena import protocol
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.protocol import Message

# The terminal state of a finished full-refresh stream, as the CDK writes it (airbyte_cdk/sources/streams/checkpoint/
# checkpoint_reader.py, FULL_REFRESH_COMPLETE_STATE; airbytehq/airbyte#38608). The platform keeps a stream's state
# across the attempts of one job and clears full-refresh states when a new job starts (Airbyte docs:
# docs/platform/understanding-airbyte/resumability.md), so a retry skips the streams that already finished.
FULL_REFRESH_COMPLETE_KEY = "__ab_full_refresh_sync_complete"


class StreamKey(NamedTuple):
    """A stream's identity: Glue database (the namespace) and table name; two databases may share a table name."""

    namespace: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}.{self.name}" if self.namespace else self.name


class RecentFiles(NamedTuple):
    """The data files already read of one recent partition (names relative to its folder)."""

    partition: tuple[str | None, ...]
    files: tuple[str, ...]


@dataclass
class StreamState:
    """What a stream remembers between syncs (and between the slices of one sync)."""

    cursor_field: str | None = None
    cursor_type: str | None = None
    cursor: str | None = None
    resume_after: list[str | None] | None = None
    resume_after_file: str | None = None
    pending_cursor: str | None = None
    full_refresh_complete: bool = False
    recent_files: list[RecentFiles] | None = None
    table_version: str | None = None  # the Iceberg snapshot / Delta log version resume_after_file belongs to

    def to_blob(self) -> dict[str, Any]:
        if self.full_refresh_complete:
            return {FULL_REFRESH_COMPLETE_KEY: True}
        blob: dict[str, Any] = {}
        if self.cursor_field is not None:
            blob.update(cursor_field=self.cursor_field, cursor_type=self.cursor_type, cursor=self.cursor)
        if self.resume_after is not None:
            blob["resume_after"] = self.resume_after
        if self.resume_after_file is not None:
            blob["resume_after_file"] = self.resume_after_file
        if self.pending_cursor is not None:
            blob["pending_cursor"] = self.pending_cursor
        if self.table_version is not None:
            blob["table_version"] = self.table_version
        if self.recent_files is not None:
            blob["recent_files"] = [{"partition": list(r.partition), "files": list(r.files)} for r in self.recent_files]
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
        complete = blob.get(FULL_REFRESH_COMPLETE_KEY, False)
        if not isinstance(complete, bool):
            raise ConfigError(
                f"The saved state of stream '{stream}' has a malformed '{FULL_REFRESH_COMPLETE_KEY}': {complete!r}."
            )
        return cls(
            cursor_field=text("cursor_field"),
            cursor_type=text("cursor_type"),
            cursor=text("cursor"),
            resume_after=resume,
            resume_after_file=text("resume_after_file"),
            pending_cursor=text("pending_cursor"),
            full_refresh_complete=complete,
            recent_files=_recent_files(stream, blob.get("recent_files")),
            table_version=text("table_version"),
        )


def _strings(value: Any, *, nullable: bool) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) or (nullable and v is None) for v in value)


def _recent_files(stream: str, value: Any) -> list[RecentFiles] | None:
    """The `recent_files` of a saved blob; malformed is a config error naming the stream."""
    if value is None:
        return None
    entries = value if isinstance(value, list) else None
    if entries is None or not all(
        isinstance(e, dict) and _strings(e.get("partition"), nullable=True) and _strings(e.get("files"), nullable=False)
        for e in entries
    ):
        raise ConfigError(
            f"The saved state of stream '{stream}' has a malformed 'recent_files': reset the stream's state."
        )
    return [RecentFiles(tuple(e["partition"]), tuple(e["files"])) for e in entries]


def read_state_file(path: str | None, logger: logging.Logger) -> list[dict[str, Any]]:
    """The `--state` file as state messages (decoded JSON). Unlike the CDK's reader, a legacy whole-connector object is ignored
    with a warning, and anything malformed is a config error naming the stream (never a traceback)."""
    if not path:
        return []
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"The state file {path} cannot be read: {exc.strerror}.") from None
    try:
        raw = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The saved state is not valid JSON ({exc.msg}, line {exc.lineno}): reset the connection's state."
        ) from None
    return parse_state_input(raw, logger)


STATE_TYPES = ("STREAM", "GLOBAL", "LEGACY")


def parse_state_input(raw: Any, logger: logging.Logger) -> list[dict[str, Any]]:
    """Validate the decoded `--state` input: a list of state messages (as decoded JSON); `{}`, `[]` and null mean
    no state. Checked by hand (not by the CDK's serializer, which `read` does not import): the message type, the
    stream descriptor and blob of a STREAM message, the object a GLOBAL or LEGACY one holds."""
    if not raw:
        return []
    if isinstance(raw, dict):
        logger.warning(
            "Ignoring a legacy state (one object for the whole connector): this connector keeps per-stream states; "
            "every stream starts from the beginning."
        )
        return []
    if not isinstance(raw, list):
        raise ConfigError("The saved state must be a list of per-stream state messages: reset the connection's state.")
    for index, item in enumerate(raw, start=1):
        _check_state_message(item, f"state message {index}")
    return raw


def _check_state_message(item: Any, where: str) -> None:
    """A malformed message is a config error naming the stream (or the message's position)."""
    if not isinstance(item, dict):
        raise ConfigError(f"The saved {where} is malformed (not an object): reset the state.")
    kind = item.get("type")
    if kind is not None and kind not in STATE_TYPES:
        raise ConfigError(f"The saved {where} is malformed (unknown type {kind!r}): reset the state.")
    stream, global_, data = item.get("stream"), item.get("global"), item.get("data")
    if kind == "STREAM" or (kind is None and stream is not None):
        descriptor = stream.get("stream_descriptor") if isinstance(stream, dict) else None
        name = descriptor.get("name") if isinstance(descriptor, dict) else None
        if not isinstance(name, str) or not name:
            raise ConfigError(f"The saved {where} has no stream descriptor with a name: reset the state.")
        namespace = descriptor.get("namespace") if isinstance(descriptor, dict) else None
        if namespace is not None and not isinstance(namespace, str):
            raise ConfigError(f"The saved {where} has a malformed namespace {namespace!r}: reset the state.")
        assert isinstance(stream, dict)
        StreamState.from_blob(name, stream.get("stream_state"))  # a malformed blob names the stream
        return
    holds = {"GLOBAL": global_, "LEGACY": data}.get(kind or "", global_ if global_ is not None else data)
    if not isinstance(holds, dict):
        raise ConfigError(f"The saved {where} holds no stream, global or legacy state: reset the state.")


def parse_states(messages: Sequence[dict[str, Any]], logger: logging.Logger) -> dict[StreamKey, StreamState]:
    """Per-stream states from the validated `--state` messages; legacy and global shapes are ignored with a
    warning."""
    states: dict[StreamKey, StreamState] = {}
    for message in messages:
        stream = message.get("stream")
        if message.get("type", "STREAM") == "STREAM" and isinstance(stream, dict):
            descriptor = stream["stream_descriptor"]
            key = StreamKey(descriptor.get("namespace"), descriptor["name"])
            states[key] = StreamState.from_blob(key.name, stream.get("stream_state"))
        else:
            logger.warning(
                f"Ignoring a {message.get('type') or 'legacy'} state message: this connector keeps "
                "per-stream states; the affected streams start from the beginning."
            )
    return states


def state_message(key: StreamKey, state: StreamState, record_count: int) -> Message:
    """A per-stream STATE message carrying the records emitted since the stream's previous STATE."""
    return protocol.state_message(key.name, key.namespace, state.to_blob(), record_count)
