"""Query done -> first record of two connector checkouts, interleaved run by run on one stand-in.

    python -m bench.phases_ab --before /work/main [--rows 1000000] [--unload-rows 262144,2500000] [--runs 4]
                              [--rate-mb 90] [--first-byte-ms 20]

Why: on a machine shared with other work, two benchmark sessions minutes apart see different loads; alternating
the two checkouts' ``read`` against the same stand-in and table compares them under the same conditions. With
``--rate-mb`` the stand-in paces every GetObject body at S3's per-stream rate (local_athena.faults.StreamRate)
and delays its first byte, so the download shows as it would against S3. Run it without PYTHONPATH: each
checkout's console script must import its own code.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench import phases, standin
from bench.phases import PhaseRun


def summary(name: str, unload_rows: int, runs: list[PhaseRun]) -> str:
    firsts = [r.to_first_record_s or 0.0 for r in runs]
    rates = [r.streaming_rate or 0.0 for r in runs]
    return (
        f"{name:6} {unload_rows:>9,}-row files: query done -> 1st record median {statistics.median(firsts):.3f} s "
        f"(each {', '.join(f'{f:.3f}' for f in firsts)}), streaming median {statistics.median(rates):,.0f} rec/s, "
        f"peak RSS max {max(r.peak_rss_mb for r in runs):.0f} MB, CPU median {statistics.median(r.cpu_s for r in runs):.2f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout (with its own .venv)")
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--unload-rows", default="262144,2500000")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--rate-mb", type=float, default=0.0, help="MB/s per GetObject stream (0: unpaced)")
    parser.add_argument("--first-byte-ms", type=float, default=20.0, help="with --rate-mb only")
    args = parser.parse_args(argv)
    scripts = {
        name: path / ".venv" / "bin" / "source-skoot-athena"
        for name, path in (("before", args.before), ("after", args.after))
    }
    unloads = [int(u) for u in args.unload_rows.split(",")]
    athena = standin.start()
    results: dict[tuple[str, int], list[PhaseRun]] = {}
    try:
        if args.rate_mb > 0:
            athena.faults.stream_rate("s3:GetObject", args.rate_mb * 1e6)
            athena.faults.latency("s3:GetObject", args.first_byte_ms / 1000)
        with tempfile.TemporaryDirectory() as workdir:
            (table,) = phases.prepare(athena, [(args.rows, 10)], Path(workdir))
            for _ in range(args.runs):
                for name, script in scripts.items():
                    for unload_rows in unloads:
                        run = phases.connector_run(athena, [str(script), *table.argv[1:]], args.rows, 10, unload_rows)
                        results.setdefault((name, unload_rows), []).append(run)
                        print(f"{name:6}", end=" ")
                        phases.log(run)
    finally:
        athena.stop()
    for (name, unload_rows), runs in sorted(results.items()):
        print(summary(name, unload_rows, runs))


if __name__ == "__main__":
    main()
