"""Deterministic benchmark tables built with numpy + pyarrow (no Python loops per row).

The 10-column table: ints, strings (some need JSON escapes, some are "" and some NULL), a timestamp, a
decimal(12,2), a double, a date, a boolean. The 50-column table is five such blocks with different seeds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

WORDS = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
ESCAPED = 'he said "hi"\n\tC:\\path é😀'


def decimal_column(cents: np.ndarray, nulls: np.ndarray) -> pa.Array:
    """decimal(12,2) from integer cents: 128-bit little-endian unscaled values, no Python Decimals."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    validity = pa.array(~nulls).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(12, 2), len(cents), [validity, pa.py_buffer(words.tobytes())], int(nulls.sum())
    )


def _block(rows: int, seed: int, suffix: str) -> dict[str, pa.Array]:
    rng = np.random.default_rng(seed)
    nulls = rng.random(rows) < 0.05
    names = np.char.add(WORDS[rng.integers(0, len(WORDS), rows)], rng.integers(0, 100_000, rows).astype(str))
    names = names.astype(object)
    names[rng.random(rows) < 0.01] = ESCAPED
    comments = np.where(rng.random(rows) < 0.3, "", "a somewhat longer comment about the row").astype(object)
    comments[nulls] = None
    millis = rng.integers(1_500_000_000_000, 1_800_000_000_000, rows)
    cents = rng.integers(-10_000_000, 10_000_000, rows)
    return {
        f"id{suffix}": pa.array(np.arange(rows, dtype=np.int64) * 1_000_003 + seed),
        f"user_id{suffix}": pa.array(rng.integers(0, 2**31 - 1, rows).astype(np.int32), mask=nulls),
        f"name{suffix}": pa.array(names, pa.string()),
        f"comment{suffix}": pa.array(comments, pa.string()),
        f"created_at{suffix}": pa.array(millis, pa.timestamp("ms"), mask=rng.random(rows) < 0.05),
        f"amount{suffix}": decimal_column(cents, nulls),
        f"score{suffix}": pa.array(rng.normal(0, 1e6, rows), mask=nulls),
        f"day{suffix}": pa.array((millis // 86_400_000).astype(np.int32), pa.date32()),
        f"active{suffix}": pa.array(rng.random(rows) < 0.5, mask=nulls),
        f"category{suffix}": pa.array(WORDS[rng.integers(0, len(WORDS), rows)].astype(object), pa.string()),
    }


def build_table(rows: int, cols: int, seed: int = 7) -> pa.Table:
    """``rows`` x ``cols`` (a multiple of 10) deterministic rows."""
    if cols % 10 or cols <= 0:
        raise ValueError("cols must be a positive multiple of 10")
    columns: dict[str, pa.Array] = {}
    for block in range(cols // 10):
        columns.update(_block(rows, seed + block, "" if block == 0 else f"_{block}"))
    return pa.table(columns)


def partitioned_table(partitions: int, rows_per_partition: int, first: int = 0, seed: int = 11) -> pa.Table:
    """The 10-column block plus a ``dt`` string partition key (``2024-01-01`` + day), ``partitions`` values."""
    rows = partitions * rows_per_partition
    table = build_table(rows, 10, seed + first)
    days = np.datetime64("2024-01-01") + np.repeat(np.arange(first, first + partitions), rows_per_partition)
    return table.append_column("dt", pa.array(days.astype(str).astype(object), pa.string()))


def table_name(rows: int, cols: int) -> str:
    """Glue table name of a throughput table: ``t_<rows>_<cols>``."""
    return f"t_{rows}_{cols}"
