"""How a sync's output travels to stdout: record lines in encoded chunks, every other message as an object."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordChunk:
    """Already-encoded RECORD lines (each ending in a newline) of one stream, and how many there are."""

    namespace: str | None
    stream: str
    data: bytes
    count: int
