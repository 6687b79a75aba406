"""Where the connector's ``read`` time goes: py-spy (``--idle``, all threads) on one read of a generated table.

    python -m bench.profile [--rows 1000000] [--cols 10] [--out bench/out/profile]

py-spy comes from the peers venv (``pip install py-spy`` there). Writes ``read.collapsed`` (folded stacks) and
prints the connector's own per-query log line and a coarse split of the samples of the main thread.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import data, standin, venv

BUCKETS = [
    ("import (start-up)", ("_find_and_load",)),
    ("query wait (poll sleep)", ("QueryRunner._wait", "poll_interval", "wait (threading", "time.sleep")),
    ("S3 download", ("get_object", "download", "_read_body", "read (ssl", "urllib3", "http/client")),
    ("Parquet decode", ("parquet", "iter_batches", "read_row_group")),
    ("record encode", ("source_skoot_athena/encoding/",)),
    ("stdout write", ("write (", "flush")),
]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--cols", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "profile")
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    py_spy = venv.PEERS_VENV / "bin" / "py-spy"
    if not py_spy.exists():
        subprocess.run([str(venv.peers_python()), "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    athena = standin.start()
    work = Path(tempfile.mkdtemp(prefix="skoot-profile-"))
    try:
        name = data.table_name(args.rows, args.cols)
        standin.put(athena, name, data.build_table(args.rows, args.cols))
        cfg = standin.write_json(work / "config.json", standin.connector_config([standin.DATABASE]))
        cat = standin.write_json(
            work / "catalog.json", standin.configured_catalog(standin.discover(athena, cfg), [name])
        )
        folded = args.out / "read.collapsed"
        out = args.out / "read.stdout"
        with out.open("wb") as fh:
            subprocess.run(
                [
                    str(py_spy),
                    "record",
                    "--idle",
                    "--threads",
                    "-r",
                    "250",
                    "-f",
                    "raw",
                    "-o",
                    str(folded),
                    "--",
                    *standin.connector_argv("read", "--config", str(cfg), "--catalog", str(cat)),
                ],
                env=standin.child_env(athena),
                stdout=fh,
                check=True,
            )
        for line in out.read_text().splitlines():
            if "read path" in line and "rows in" in line:
                print(line[:400])
        out.unlink()
    finally:
        athena.stop()
        shutil.rmtree(work, ignore_errors=True)
    per_thread: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        thread = stack.split(";", 1)[0]
        bucket = next((b for b, needles in BUCKETS if any(n in stack for n in needles)), "other")
        per_thread[thread][bucket] += int(count)
    for thread, counts in per_thread.items():
        total = sum(counts.values())
        if total < 50:
            continue
        print(f"{thread}: {total / 250:.1f} s sampled")
        for bucket, n in counts.most_common():
            print(f"  {bucket:<26} {n / 250:6.1f} s  {n / total:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
