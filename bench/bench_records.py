"""RecordEncoder against the orjson-per-row floor, on the same Arrow table in the same process.

    python -m bench.bench_records [--rows N] [--batch-rows B]

The floor is what a straightforward connector does with Arrow data: `to_pylist()` and one `orjson.dumps`
of the RECORD message per row (decimals as exact number tokens via `orjson.Fragment`, datetimes by orjson).
"""

from __future__ import annotations

import argparse
import decimal
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from bench.data import decimal_column
from source_skoot_athena.encoding import RecordEncoder
from source_skoot_athena.types import parse_type

COLUMNS = [
    ("id", "bigint"),
    ("user_id", "int"),
    ("name", "string"),
    ("comment", "varchar(200)"),
    ("created_at", "timestamp"),
    ("amount", "decimal(12,2)"),
    ("score", "double"),
    ("day", "date"),
    ("active", "boolean"),
    ("category", "string"),
]
STREAM = "bench_table"
NAMESPACE = "bench_db"


def build_table(rows: int, seed: int = 7) -> pa.Table:
    """10 columns of mixed types with ~5% NULLs and ~1% strings that need JSON escaping."""
    rng = np.random.default_rng(seed)
    nulls = rng.random(rows) < 0.05
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    names = np.char.add(words[rng.integers(0, len(words), rows)], rng.integers(0, 100_000, rows).astype(str))
    names = names.astype(object)
    escaped = rng.random(rows) < 0.01
    names[escaped] = 'he said "hi"\n\tC:\\path é😀'
    comments = np.where(rng.random(rows) < 0.3, "", "a somewhat longer comment about the row").astype(object)
    comments[nulls] = None
    millis = rng.integers(1_500_000_000_000, 1_800_000_000_000, rows)
    cents = rng.integers(-10_000_000, 10_000_000, rows)
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64) * 1_000_003),
            "user_id": pa.array(rng.integers(0, 2**31 - 1, rows).astype(np.int32), mask=nulls),
            "name": pa.array(names, pa.string()),
            "comment": pa.array(comments, pa.string()),
            "created_at": pa.array(millis, pa.timestamp("ms"), mask=rng.random(rows) < 0.05),
            "amount": decimal_column(cents, nulls),
            "score": pa.array(rng.normal(0, 1e6, rows), mask=nulls),
            "day": pa.array((millis // 86_400_000).astype(np.int32), pa.date32()),
            "active": pa.array(rng.random(rows) < 0.5, mask=nulls),
            "category": pa.array(words[rng.integers(0, len(words), rows)].astype(object), pa.string()),
        }
    )


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return orjson.Fragment(format(value, "f"))
    raise TypeError(type(value))


def floor(batches: Iterable[pa.RecordBatch], emitted_at: int) -> int:
    """orjson per row from to_pylist(): the straightforward baseline."""
    size = 0
    option = orjson.OPT_APPEND_NEWLINE
    for batch in batches:
        for row in batch.to_pylist():
            message = {
                "type": "RECORD",
                "record": {"stream": STREAM, "namespace": NAMESPACE, "data": row, "emitted_at": emitted_at},
            }
            size += len(orjson.dumps(message, default=_default, option=option))
    return size


def encoder(batches: Iterable[pa.RecordBatch], emitted_at: int) -> int:
    """The connector's vectorised encoder."""
    columns = [(name, parse_type(text)) for name, text in COLUMNS]
    record_encoder = RecordEncoder(STREAM, NAMESPACE, columns)
    return sum(len(record_encoder.encode(batch, emitted_at)) for batch in batches)


def timed(function: Callable[[Iterable[pa.RecordBatch], int], int], table: pa.Table, batch_rows: int) -> float:
    started, cpu_started = time.perf_counter(), time.process_time()
    size = function(table.to_batches(max_chunksize=batch_rows), 1_700_000_000_000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = table.num_rows / elapsed
    print(
        f"{function.__name__:>8}: {rate:>12,.0f} rows/s  ({elapsed:.2f} s, CPU {cpu:.2f} s: "
        f"{table.num_rows / cpu:,.0f} rows per CPU s, {size / 1e6:.0f} MB)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=16_384, help="the UNLOAD reader's batches are ~1 MB")
    args = parser.parse_args()
    table = build_table(args.rows)
    print(f"{args.rows:,} rows x {table.num_columns} columns, batches of {args.batch_rows:,}")
    floor_rate = timed(floor, table, args.batch_rows)
    encoder_rate = timed(encoder, table, args.batch_rows)
    print(f"   ratio: {encoder_rate / floor_rate:.2f}x the orjson floor")


if __name__ == "__main__":
    main()
