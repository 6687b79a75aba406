"""``python -m bench``: this connector against its peers on the local Athena stand-in; writes docs/benchmarks.*.

    python -m bench [--rows 100000,1000000] [--cols 10,50] [--runs 3] [--big]   # the real thing (≈ an hour)
    python -m bench --smoke                                                       # tiny sizes, one run (< 1 min)
    python -m bench --baseline ../before [--peers connector,baseline,floor]       # + another checkout, side by side
    python -m bench --phases [--unload-rows 262144,2500000] [--no-throughput]      # + phase split, RSS vs file size
    python -m bench --scale --csv-gb 1 --concurrency --no-throughput --no-discovery --no-incremental
                                                          # only the scale scenarios: the "Scale" section

The peers (PyAthena, awswrangler) and matplotlib live in their own venv, bench/.venv-peers, created on first use
from bench/requirements-peers.txt (``--smoke`` never installs: it runs the peers only when that venv is ready).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import phases, report, scale_report, scale_suite, scenarios, throughput, venv
from bench.baseline import KEY as BASELINE
from bench.baseline import Baseline, BaselineError, resolve
from bench.revisions import tree_revision

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    with open("/proc/meminfo") as fh:
        kib = int(fh.readline().split()[1])
    return f"{os.cpu_count()} cores, {round(kib / 1024 / 1024)} GiB"


def connector_revision() -> str:
    """This tree's revision (bench/revisions.py)."""
    return tree_revision(ROOT)


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=_ints, default=[100_000, 1_000_000], help="comma-separated row counts")
    p.add_argument("--cols", type=_ints, default=[10, 50], help="comma-separated column counts (multiples of 10)")
    p.add_argument("--runs", type=int, default=3, help="runs per reader and size (median reported)")
    p.add_argument("--big", action="store_true", help="add 10,000,000 rows (opt-in: long)")
    p.add_argument("--smoke", action="store_true", help="tiny sizes, one run, to a scratch dir (for the test)")
    p.add_argument("--peers", default="", help="comma-separated reader keys to run (default: all)")
    p.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="PATH",
        help="also run PATH/.venv/bin/source-skoot-athena (another checkout of this project: git worktree add PATH "
        "<rev> && make -C PATH setup) as the reader 'baseline', in the same rounds as the connector, and in --phases "
        "(not in the --scale scenarios)",
    )
    p.add_argument("--no-discovery", action="store_true")
    p.add_argument("--no-incremental", action="store_true")
    p.add_argument(
        "--phases",
        action="store_true",
        help="add the phase split of a read (start-up, query, to first record, streaming rate vs the floor's) and "
        "its peak RSS per UNLOAD file size (--unload-rows), at every --rows x --cols",
    )
    p.add_argument(
        "--unload-rows",
        type=_ints,
        default=[262_144, 2_500_000],
        help="with --phases: rows per UNLOAD file the stand-in writes, one scenario each",
    )
    p.add_argument("--no-throughput", action="store_true", help="skip the peers' throughput table")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed")
    p.add_argument(
        "--slow-cutoff", type=float, default=300, help="a reader whose run takes longer is run once only at that size"
    )
    p.add_argument(
        "--rerender",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="only rewrite benchmarks.md/.png next to an existing benchmarks.json (or, given benchmarks-scale.json, "
        "only the Scale section of benchmarks.md)",
    )
    p.add_argument("--out", type=Path, default=None, help="where benchmarks.md/.png/.json go (default docs/)")
    scale_suite.add_arguments(p)
    return p.parse_args(argv)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # run the finally blocks: kill the running child, stop the stand-in


def scale_only(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Only the scale scenarios: merge their figures into benchmarks-scale.json and rewrite the Scale section."""
    out = args.out or ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="skoot-bench-scale-"))
    command = ("python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    try:
        parts = scale_suite.run(args, workdir, command, connector_revision())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    doc = scale_report.merge(out, dt.date.today().isoformat(), parts)
    written = scale_report.write(out, doc)
    print(scale_report.section(doc))
    print(f"bench: wrote {out / scale_report.RESULTS}, {written} (its Scale section)", file=sys.stderr)
    return 0


def select_readers(wanted: set[str], baseline: Baseline | None, peers_ready: bool) -> list[throughput.Peer]:
    """The readers ``--peers`` names (all by default), the baseline among them exactly when ``--baseline`` is given."""
    if BASELINE in wanted and baseline is None:
        raise BaselineError("--peers names 'baseline' but no --baseline PATH was given")
    if baseline is not None and wanted and BASELINE not in wanted:
        raise BaselineError(f"--baseline was given but --peers leaves it out: add '{BASELINE}' to --peers")
    return [
        p
        for p in throughput.readers(baseline)
        if (not wanted or p.key in wanted) and (peers_ready or not p.needs_peers_venv)
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        return _main(args, argv)
    except BaselineError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace, argv: list[str] | None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    if args.rerender:
        saved = json.loads(args.rerender.read_text())
        if args.rerender.name == scale_report.RESULTS:  # only the Scale section (with benchmarks-scale-notes.md)
            scale_report.write(args.rerender.parent, saved)
        else:
            report.write(saved, args.rerender.parent, args.rerender)
        return 0
    if scale_suite.requested(args) and scale_suite.alone(args):
        return scale_only(args, argv)
    baseline = resolve(args.baseline) if args.baseline else None  # before any work: a missing tree fails at once
    if args.smoke:
        rows, cols, runs = [2_000], [10], 1
        disc, inc = (2, 5), (10, 100)
        out = args.out or ROOT / "bench" / "out" / "smoke"
        peers_ready = venv.ready()
    else:
        rows = sorted(set(args.rows + ([10_000_000] if args.big else [])))
        cols, runs = args.cols, args.runs
        disc, inc = (50, 200), (100, 10_000)
        out = args.out or ROOT / "docs"
        venv.ensure()
        peers_ready = True
    peers = select_readers(set(filter(None, args.peers.split(","))), baseline, peers_ready)
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="skoot-bench-"))
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    doc: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "python": platform.python_version(),
        "command": command.strip(),
        "peers": [asdict(p) for p in peers],
        "versions": venv.versions() if peers_ready else {},
        "load_before": round(os.getloadavg()[0], 1),
        "connector_revision": connector_revision(),
    }
    if baseline is not None:
        doc[BASELINE] = baseline.to_json()
    try:
        cells = (
            []
            if args.no_throughput
            else throughput.run(
                throughput.Sizes(rows, cols),
                runs,
                workdir,
                peers=peers,
                timeout_s=args.timeout,
                slow_cutoff_s=args.slow_cutoff,
                baseline=baseline,
            )
        )
        doc["throughput"] = throughput.to_json(cells)
        if args.phases:
            doc["phases"] = phases.summary(phases.run(rows, cols, args.unload_rows, runs, workdir, baseline))
        if not args.no_incremental:
            doc["incremental"] = asdict(scenarios.incremental(inc[0], inc[1], workdir))
        if not args.no_discovery:
            doc["discovery"] = asdict(scenarios.discovery(disc[0], disc[1], workdir))
        if scale_suite.requested(args):
            parts = scale_suite.run(args, workdir, doc["command"], doc["connector_revision"])
            doc["scale"] = scale_report.merge(out, doc["date"], parts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    doc["load_after"] = round(os.getloadavg()[0], 1)
    results_json = out / "benchmarks.json"
    results_json.write_text(json.dumps(doc, indent=1))
    written = report.write(doc, out, results_json)
    print(report.markdown(doc))
    print("bench: wrote " + ", ".join(str(p) for p in [results_json, *written]), file=sys.stderr)
    return 0
