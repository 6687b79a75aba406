"""The opt-in scale scenarios of ``python -m bench`` (issue 17): their flags, and running the ones asked for.

    python -m bench --scale --csv-gb 1 --concurrency --no-throughput --no-discovery --no-incremental

Each is long (minutes) and answers one question, so none runs unless asked; with the other scenarios switched
off, only the "Scale" section of docs/benchmarks.md is rewritten (bench/scale_report.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import concurrency, csv_scale, scale


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _pairs(text: str) -> list[tuple[int, int]]:
    """``16:4,8:2`` -> [(16, 4), (8, 2)]: Concurrent Queries setting and the account's active-query quota."""
    out = []
    for item in filter(None, (x.strip() for x in text.split(","))):
        setting, quota = item.split(":")
        out.append((int(setting), int(quota)))
    return out


def _attempts(text: str) -> tuple[int | None, ...]:
    """``default,1`` -> (None, 1): AWS_MAX_ATTEMPTS for the quota runs (default: the connector's own)."""
    return tuple(None if x.strip() == "default" else int(x) for x in text.split(",") if x.strip())


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scale scenarios (opt-in, issue 17)")
    g.add_argument(
        "--scale",
        action="store_true",
        help="--scale-rows x 10 columns: peak RSS and streaming rate over the floor's, with the stand-in's default "
        "UNLOAD files and with 2.5M-row files of one row group",
    )
    g.add_argument("--scale-rows", type=int, default=10_000_000)
    g.add_argument(
        "--csv-gb",
        type=float,
        default=0.0,
        help="the result-CSV path (an engine version 1 workgroup) with a result CSV of about this many GB",
    )
    g.add_argument(
        "--concurrency",
        action="store_true",
        help="wall time of a many-slice read per Concurrent Queries setting, each query held --conc-delay s",
    )
    g.add_argument("--conc-settings", type=_ints, default=[1, 2, 4, 8, 16])
    g.add_argument(
        "--conc-quota", type=_pairs, default=[(16, 4)], help="SETTING:QUOTA pairs run under an active-query quota"
    )
    g.add_argument(
        "--conc-quota-attempts",
        type=_attempts,
        default=(None, 1),
        help="AWS_MAX_ATTEMPTS per quota run: 'default' (botocore's retries) and/or 1 (every call tried once; the "
        "starts reach the connector's AdaptiveLimit either way: aws.py's athena_starts)",
    )
    g.add_argument("--conc-slices", type=int, default=40)
    g.add_argument("--conc-delay", type=float, default=2.5, help="seconds each query is queued+running")
    g.add_argument("--conc-streams", action="store_true", help="one-slice tables (streams) instead of slices")


def requested(args: argparse.Namespace) -> bool:
    return bool(args.scale or args.csv_gb or args.concurrency)


def alone(args: argparse.Namespace) -> bool:
    """Only scale scenarios asked for: the rest of benchmarks.md is left as it is."""
    return args.no_throughput and not args.phases and args.no_discovery and args.no_incremental


def _facts(command: str, revision: str, load_before: float) -> dict[str, Any]:
    return {
        "date": dt.date.today().isoformat(),
        "command": command,
        "revision": revision,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 1),
    }


def run(args: argparse.Namespace, workdir: Path, command: str, revision: str) -> dict[str, dict[str, Any]]:
    """The scenarios asked for, each as its figures plus when, how and under what load it ran."""
    parts: dict[str, dict[str, Any]] = {}
    if args.concurrency:
        load = round(os.getloadavg()[0], 1)
        runs = concurrency.run(
            args.conc_settings,
            args.conc_quota,
            args.conc_slices,
            args.conc_delay,
            workdir,
            streams=args.conc_streams,
            quota_attempts=args.conc_quota_attempts,
        )
        key = "concurrency_streams" if args.conc_streams else "concurrency"  # the two layouts are kept apart
        parts[key] = {"runs": [asdict(r) for r in runs], **_facts(command, revision, load)}
    if args.csv_gb:
        load = round(os.getloadavg()[0], 1)
        result = csv_scale.run(int(args.csv_gb * 1e9), 10, workdir)
        parts["csv"] = {"result": asdict(result), **_facts(command, revision, load)}
    if args.scale:
        load = round(os.getloadavg()[0], 1)
        runs_10m = scale.run(args.scale_rows, 10, scale.DEFAULT_LAYOUTS, workdir)
        parts["scale"] = {"runs": runs_10m, **_facts(command, revision, load)}
    return parts
