"""Wall time of a many-slice ``read`` against ``max_concurrent_queries``, with Athena-like per-query latency.

    python -m bench --concurrency [--conc-settings 1,2,4,8,16] [--conc-slices 40] [--conc-delay 2.5]
                                  [--conc-quota 16:4]

Why: on Athena every query waits in a queue and plans before it reads anything (seconds, whatever its size), and
the account's "Active DML queries" quota counts queued and running queries (over it: TooManyRequestsException,
CONCURRENT_QUERY_LIMIT_EXCEEDED; https://docs.aws.amazon.com/athena/latest/ug/service-limits.html). The stand-in
answers in milliseconds, so each UNLOAD is held RUNNING ``delay`` seconds first (``faults.delay_query``) and the
quota is ``LocalAthena.max_active_queries``. The read is latency-bound, the case concurrency is for: one stream,
a table of ``slices`` small ``dt`` partitions whose Glue statistics (``totalSize``) say each is nearly a slice's
worth (slicing.py's SLICE_TARGET_BYTES), so each is a slice of its own. With ``streams=True`` it is ``slices``
one-slice tables instead (each stream's planning then shares the query pool and the window with the queries).
Each setting runs once: its wall time is mostly waiting.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import data, standin
from bench.proc import measure
from local_athena import LocalAthena
from local_athena.testing import most_at_once, query_spans

ROWS_PER_SLICE = 1_000
TABLE = "many_slices"
PARTITION_BYTES = 900 * 1024**2  # said by Glue's statistics: just under a slice's 1 GiB, so one partition a slice
LOWERED = re.compile(rb"running at most (\d+) queries at once")
RAISED = re.compile(rb"running up to (\d+) queries at once")


@dataclass(frozen=True)
class ConcurrencyRun:
    layout: str  # "slices" (one stream) or "streams" (one slice each)
    setting: int
    quota: int | None
    slices: int
    delay_s: float
    wall_s: float
    queries: int
    refused: int
    lowest_limit: int | None  # the connector's limit after CONCURRENT_QUERY_LIMIT_EXCEEDED (None: never lowered)
    peak_active: int  # most queries QUEUED/RUNNING at once, from their Submission/CompletionDateTime
    mean_query_s: float
    api_attempts: int | None  # AWS_MAX_ATTEMPTS given to the connector (None: its default, botocore retries)
    records: int
    peak_rss_mb: float
    returncode: int
    load: float
    lowerings: int = 0  # how often the connector lowered its limit (each congestion event once)
    highest_raised: int | None = None  # the highest the limit was raised back to after a lowering (None: never)

    @property
    def ideal_s(self) -> float:
        """The queries' delays alone, ``min(setting, quota)`` at a time."""
        width = min(self.setting, self.quota or self.setting)
        return math.ceil(self.slices / width) * self.delay_s


def _table_names(slices: int) -> list[str]:
    return [f"slice_{i:03d}" for i in range(slices)]


def _put_partitioned(athena: LocalAthena, slices: int) -> list[str]:
    """One table of ``slices`` partitions, each made a slice of its own by its Glue ``totalSize``."""
    standin.put(athena, TABLE, data.partitioned_table(slices, ROWS_PER_SLICE), partition_keys=["dt"])
    glue = athena.client("glue")
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=standin.DATABASE, TableName=TABLE)
    for partition in [p for page in pages for p in page["Partitions"]]:
        glue.update_partition(
            DatabaseName=standin.DATABASE,
            TableName=TABLE,
            PartitionValueList=partition["Values"],
            PartitionInput={
                "Values": partition["Values"],
                "StorageDescriptor": partition["StorageDescriptor"],
                "Parameters": {**partition.get("Parameters", {}), "totalSize": str(PARTITION_BYTES)},
            },
        )
    return [TABLE]


def _put_tables(athena: LocalAthena, slices: int) -> list[str]:
    """``slices`` one-slice tables."""
    for seed, name in enumerate(_table_names(slices)):
        standin.put(athena, name, data.build_table(ROWS_PER_SLICE, 10, seed=seed))
    return _table_names(slices)


def _read(
    athena: LocalAthena, workdir: Path, setting: int, catalog: Path, attempts: int | None
) -> tuple[float, int, int, int, bytes]:
    config = {**standin.connector_config([standin.DATABASE]), "max_concurrent_queries": setting}
    cfg = standin.write_json(workdir / f"conc-config-{setting}.json", config)
    out = workdir / "conc-out.jsonl"
    env = standin.child_env(athena)
    if attempts is not None:
        env["AWS_MAX_ATTEMPTS"] = str(attempts)
    m = measure(
        standin.connector_argv("read", "--config", str(cfg), "--catalog", str(catalog)),
        env,
        timeout_s=1800,
        stdout_path=str(out),
    )
    text = out.read_bytes()
    out.unlink()
    records = text.count(b'{"type":"RECORD"')
    return m.wall_s, int(m.peak_rss_mb), m.returncode, records, text


def run(
    settings: list[int],
    quotas: list[tuple[int, int]],
    slices: int,
    delay_s: float,
    workdir: Path,
    *,
    streams: bool = False,
    quota_attempts: tuple[int | None, ...] = (None,),
) -> list[ConcurrencyRun]:
    """One read per setting (no quota), then one per ``(setting, quota)`` pair and API attempts setting (None:
    the connector's default botocore attempts; 1: one attempt per API call). Either way the connector's starts client
    leaves each refusal to its AdaptiveLimit (aws.py ``athena_starts``); before, only 1 did."""
    athena = standin.start()
    out: list[ConcurrencyRun] = []
    try:
        names = _put_tables(athena, slices) if streams else _put_partitioned(athena, slices)
        cfg = standin.write_json(workdir / "conc-discover.json", standin.connector_config([standin.DATABASE]))
        catalog = standin.write_json(
            workdir / "conc-catalog.json", standin.configured_catalog(standin.discover(athena, cfg), names)
        )
        plan = [(s, None, None) for s in settings] + [(s, q, a) for s, q in quotas for a in quota_attempts]
        for setting, quota, attempts in plan:
            athena.faults.clear()
            athena.faults.delay_query("UNLOAD", delay_s)
            athena.max_active_queries = quota
            athena.reset_observations()
            wall, rss, code, records, text = _read(athena, workdir, setting, catalog, attempts)
            lowered = [int(n) for n in LOWERED.findall(text)]
            raised = [int(n) for n in RAISED.findall(text)]
            spans = query_spans(athena)
            result = ConcurrencyRun(
                "streams" if streams else "slices",
                setting,
                quota,
                slices,
                delay_s,
                wall,
                len(athena.queries),
                athena.refused_queries,
                min(lowered) if lowered else None,
                most_at_once(spans),
                sum(end - start for start, end in spans) / len(spans) if spans else 0.0,
                attempts,
                records,
                rss,
                code,
                round(os.getloadavg()[0], 1),
                len(lowered),
                max(raised) if raised else None,
            )
            print(f"bench.concurrency: {result}", file=sys.stderr, flush=True)
            out.append(result)
    finally:
        athena.faults.clear()
        athena.max_active_queries = None
        athena.stop()
    return out


def markdown(runs: list[ConcurrencyRun]) -> str:
    """One row per run: wall time against the delays-only ideal and against one query at a time."""
    serial = next((r.wall_s for r in runs if r.setting == 1 and r.quota is None), None)
    lines = [
        "| Concurrent Queries | quota (active DML) | API attempts | wall s | delays alone s | speed-up vs 1 | "
        "queries | most active at once | mean query s | refused starts | limit lowered to | lowerings | "
        "raised back to | records | peak RSS MB | exit | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        speed = f"{serial / r.wall_s:.1f}×" if serial else "—"
        lines.append(
            f"| {r.setting} | {r.quota or 'none'} | {r.api_attempts or 'default (8)'} | {r.wall_s:.1f} | "
            f"{r.ideal_s:.1f} | {speed} | {r.queries} | {r.peak_active} | {r.mean_query_s:.2f} | {r.refused} | "
            f"{r.lowest_limit or '—'} | {r.lowerings} | {r.highest_raised or '—'} | {r.records:,} | "
            f"{r.peak_rss_mb:.0f} | {r.returncode} | {r.load} |"
        )
    return "\n".join(lines)
