"""The result CSV is parsed in row-aligned blocks: bounded read-ahead, rows longer than a block, exact values.

Why: pyarrow's streaming CSV reader reads up to 32 blocks ahead of its consumer (results/csv.py); these tests pin
that the reader now holds at most one block plus the row being completed, whatever the file size, and that the
cut never splits a row, however its quoted values hold newlines, quotes and commas.
"""

from __future__ import annotations

import io

import pytest

from source_skoot_athena.results import csv as csv_results
from source_skoot_athena.results.csv import csv_batches, last_row_end, row_blocks
from source_skoot_athena.types import parse_type

BLOCK = 4096
NAMES = ["n", "s"]
TYPES = [parse_type("bigint"), parse_type("string")]


def field(value: str | None) -> str:
    """Athena's rendering: every value quoted (quotes doubled), NULL as an empty unquoted field."""
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def athena_csv(values: list[str | None]) -> tuple[bytes, list[int]]:
    """A two-column result CSV (`n`, `s`) and the byte offset at which each row (the header first) ends."""
    rows = ['"n","s"\n'] + [f"{field(str(i))},{field(v)}\n" for i, v in enumerate(values)]
    ends, total = [], 0
    for row in rows:
        total += len(row.encode())
        ends.append(total)
    return "".join(rows).encode(), ends


class TrackedBody(io.BytesIO):
    """A GetObject body that tells how many bytes the reader has taken from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def tricky(i: int) -> str | None:
    """Values with what a naive row cut would split on: newlines and quotes inside, commas, NULL and ""."""
    return [f"plain {i}", 'say "hi",\nthen\n"bye"', None, "", "x" * (i % 300), "é😀\\\n\n"][i % 6]


def test_read_ahead_stays_within_one_block_of_the_rows_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_results, "BLOCK_BYTES", BLOCK)
    data, row_ends = athena_csv([tricky(i) for i in range(20_000)])
    longest_row = max(b - a for a, b in zip([0, *row_ends], row_ends, strict=False))
    body = TrackedBody(data)
    rows = 0
    for batch in csv_batches(body, NAMES, TYPES):
        rows += batch.num_rows
        ahead = body.taken - row_ends[rows]  # row_ends[0] is the header's
        assert 0 <= ahead <= BLOCK + longest_row, (rows, body.taken, ahead)
    assert rows == 20_000
    assert len(data) > 100 * BLOCK


def test_values_survive_every_cut_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_results, "BLOCK_BYTES", BLOCK)
    values = [tricky(i) for i in range(3_000)]
    values[1234] = 'a row longer than five blocks, "quoted",\n' * (5 * BLOCK // 40)
    data, _ = athena_csv(values)
    got: list[tuple[int, str | None]] = []
    for batch in csv_batches(io.BytesIO(data), NAMES, TYPES):
        got += zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)
    assert got == list(enumerate(values))


def test_a_header_only_csv_has_no_rows() -> None:
    assert list(csv_batches(io.BytesIO(b'"n","s"\n'), NAMES, TYPES)) == []


@pytest.mark.parametrize(
    ("data", "end"),
    [
        (b'"1","a"\n"2","b"\n', 16),
        (b'"1","a"\n"2","b', 8),  # the last row is not complete yet
        (b'"1","a\n"2","b"\n', None),  # a newline inside the quoted value, no row ended
        (b'"1","a""\n""b"\n"2', 14),  # doubled quotes inside a value do not change what is quoted
        (b'"1",\n"2",""\n', 12),  # NULL (unquoted empty) and "" (quoted empty)
        (b"", None),
    ],
)
def test_last_row_end_counts_quotes(data: bytes, end: int | None) -> None:
    assert last_row_end(data) == end


def test_row_blocks_join_back_to_the_body_and_end_at_rows() -> None:
    data, row_ends = athena_csv([tricky(i) for i in range(2_000)])
    blocks = list(row_blocks(io.BytesIO(data), 1000))
    assert b"".join(blocks) == data
    offsets = set(row_ends)
    position = 0
    for block in blocks:
        position += len(block)
        assert position in offsets
