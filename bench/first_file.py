"""Seconds to the first and last batch of one UNLOAD file read from the stand-in at S3's per-stream rate.

    python -m bench.first_file [--rows 2500000] [--row-group-rows 0] [--rate-mb 90] [--first-byte-ms 20]
                               [--parts 4,8] [--workers 2,3,4] [--runs 3] [--source DIR]

Why: the stand-in serves GetObject at local-socket speed, where copying a 120 MB file whole costs ≈ 0.1 s; S3
serves one GET stream at ≈ 85-90 MB/s (local_athena.faults.StreamRate), where it costs 1-2 s before the first
record. Each run is a child process that reads the file through ``UnloadResult.batches()`` (download and decode,
no encoding) with the stand-in pacing every GetObject body at ``--rate-mb`` and delaying its first byte by
``--first-byte-ms``; it prints seconds to the first batch, to the last, and its peak RSS. ``--source`` reads with
another checkout's code (e.g. main's, whole-file copies) for a before/after in one session.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from bench import data, standin
from local_athena import LocalAthena

BUCKET = "skoot-athena-results"
CHILD = """
import json, os, sys, time
import boto3
from source_skoot_athena.memory import release_memory_promptly
from source_skoot_athena.results import unload
release_memory_promptly()  # as the connector's read does
try:
    from source_skoot_athena.results import ranged_copy
    ranged_copy.PART_BYTES = int(os.environ["BENCH_PART_BYTES"])
    ranged_copy.WORKERS = int(os.environ["BENCH_WORKERS"])
    ranged_copy.URGENT_BYTES = int(os.environ["BENCH_URGENT_BYTES"])
except ImportError:
    pass
s3 = boto3.client("s3")
reader = unload.UnloadResult(s3, sys.argv[1], sys.argv[2])
reader.files()
started = time.monotonic()
first = None
rows = 0
for batch in reader.batches():
    first = first or time.monotonic()
    rows += batch.num_rows
ended = time.monotonic()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so it would report the parent's (the stand-in's) peak
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({"first_s": first - started, "all_s": ended - started, "rows": rows, "rss_mb": rss}))
"""


def put_file(athena: LocalAthena, rows: int, row_group_rows: int) -> tuple[str, str, int]:
    """One 10-column Parquet file (``row_group_rows`` 0: one row group) and its manifest; (manifest, prefix, bytes)."""
    sink = io.BytesIO()
    pq.write_table(data.build_table(rows, 10), sink, compression="snappy", row_group_size=row_group_rows or rows)
    prefix = f"bench-first-file/{rows}-{row_group_rows}/"
    s3 = athena.client("s3")
    s3.put_object(Bucket=BUCKET, Key=prefix + "data-00000", Body=sink.getvalue())
    s3.put_object(Bucket=BUCKET, Key=prefix + "manifest.csv", Body=f"s3://{BUCKET}/{prefix}data-00000\n".encode())
    return f"s3://{BUCKET}/{prefix}manifest.csv", f"s3://{BUCKET}/{prefix}", len(sink.getvalue())


def one_run(
    athena: LocalAthena, files: tuple[str, str], source: Path, setting: tuple[int, int, int]
) -> dict[str, float]:
    """One child reading the file with (part MiB, urgent MiB, workers)."""
    part_mb, urgent_mb, workers = setting
    env = standin.child_env(athena)
    env.update(
        {
            "PYTHONPATH": str(source),
            "BENCH_PART_BYTES": str(part_mb << 20),
            "BENCH_URGENT_BYTES": str(urgent_mb << 20),
            "BENCH_WORKERS": str(workers),
        }
    )
    python = source / ".venv" / "bin" / "python"
    out = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", CHILD, *files],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_500_000)
    parser.add_argument("--row-group-rows", type=int, default=0, help="0: the whole file is one row group")
    parser.add_argument("--rate-mb", type=float, default=90.0, help="MB/s per GetObject stream (0: unpaced)")
    parser.add_argument("--first-byte-ms", type=float, default=20.0)
    parser.add_argument("--parts", default="8", help="part sizes in MiB, comma-separated")
    parser.add_argument("--urgent", default="8", help="urgent run sizes in MiB, comma-separated")
    parser.add_argument("--workers", default="3", help="worker counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    athena = LocalAthena().start()
    try:
        manifest, prefix, size = put_file(athena, args.rows, args.row_group_rows)
        if args.rate_mb > 0:
            athena.faults.stream_rate("s3:GetObject", args.rate_mb * 1e6)
        if args.first_byte_ms > 0:
            athena.faults.latency("s3:GetObject", args.first_byte_ms / 1000)
        print(f"file: {args.rows:,} rows, {size / 1e6:.1f} MB, source {args.source}, load {os.getloadavg()[0]:.1f}")
        settings = [
            (int(part), int(urgent), int(workers))
            for part in args.parts.split(",")
            for urgent in args.urgent.split(",")
            for workers in args.workers.split(",")
        ]
        for setting in settings:
            runs = [one_run(athena, (manifest, prefix), args.source, setting) for _ in range(args.runs)]
            first = statistics.median(r["first_s"] for r in runs)
            whole = statistics.median(r["all_s"] for r in runs)
            rss = max(r["rss_mb"] for r in runs)
            each = ", ".join(f"{r['first_s']:.3f}" for r in runs)
            print(
                f"part {setting[0]} MiB, urgent {setting[1]} MiB, {setting[2]} workers: first batch {first:.3f} s, "
                f"all {whole:.2f} s, peak RSS {rss:.0f} MB (first batch of each run: {each}), "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        athena.stop()


if __name__ == "__main__":
    main()
