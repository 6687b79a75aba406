"""The floor: the same Parquet read directly with pyarrow and written as Airbyte RECORD lines with orjson.

No connector, no query: ``to_pylist()`` per batch and one ``orjson.dumps`` of the RECORD message per row
(decimals as exact number tokens via ``orjson.Fragment``, datetimes by orjson), as in bench/bench_records.py.

    python -m bench.floor FILE.parquet STREAM NAMESPACE > /dev/null   (prints ``rows=N`` on stderr)
"""

from __future__ import annotations

import decimal
import sys
import time
from typing import Any

import orjson
import pyarrow.parquet as pq


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return orjson.Fragment(format(value, "f"))
    raise TypeError(type(value))


def main(argv: list[str]) -> int:
    path, stream, namespace = argv
    emitted_at = int(time.time() * 1000)
    out = sys.stdout.buffer
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    rows = 0
    write = out.write  # one line at a time into the 8 KiB buffered writer: orjson's bytes are never held en masse
    for batch in pq.ParquetFile(path).iter_batches(batch_size=65_536):
        for row in batch.to_pylist():
            write(
                dumps(
                    {
                        "type": "RECORD",
                        "record": {"stream": stream, "namespace": namespace, "data": row, "emitted_at": emitted_at},
                    },
                    default=_default,
                    option=option,
                )
            )
        rows += batch.num_rows
    out.flush()
    print(f"rows={rows}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
