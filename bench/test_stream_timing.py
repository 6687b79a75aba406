"""The phase split's stdout scan finds every RECORD line, wherever the read chunks cut them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import stream_timing

LINES = [b'{"type":"LOG"}\n'] + [b'{"type":"RECORD","n":%d}\n' % i for i in range(5000)] + [b'{"type":"STATE"}\n']


@pytest.mark.parametrize("chunk_bytes", [7, 16, 17, 1000, 8 << 20])
def test_record_span_counts_records_across_chunk_cuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    body = b"".join(LINES)
    path = tmp_path / "out.jsonl"
    path.write_bytes(body)
    monkeypatch.setattr(stream_timing, "READ_BYTES", chunk_bytes)
    span = stream_timing.record_span(path)
    assert span == stream_timing.RecordSpan(len(LINES[0]), len(body) - len(LINES[-1]), 5000)


def test_record_span_of_output_without_records(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"type":"LOG"}\n')
    assert stream_timing.record_span(path) == stream_timing.RecordSpan(None, None, 0)
