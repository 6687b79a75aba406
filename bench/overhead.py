"""Our own time around each query of a `read`: start-up until the first query is submitted, and the query's
completion until the first RECORD line is on stdout (`python -m bench.overhead`; opt-in, not part of the
default `python -m bench` run).

Why: on real Athena every query pays queue and planning time, so what the connector adds before and after it
is pure latency. The stand-in delays each read query (`faults.delay_query`, a per-query delay like Athena's
queue + planning time) so the two phases separate cleanly. Times come from one clock: the process launch and
the first RECORD line are stamped here, submission and completion by the stand-in (GetQueryExecution's
SubmissionDateTime / CompletionDateTime), all `time.time()` on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import data, standin
from local_athena import LocalAthena

TABLE = "overhead_10k"
READ_MARK = "(read bench."  # the leading comment of every slice query (sql.leading_comment)


@dataclass(frozen=True)
class Phases:
    """One `read`'s overhead phases, in seconds."""

    to_first_query_s: float
    query_s: float
    done_to_first_record_s: float
    total_s: float

    @property
    def overhead_s(self) -> float:
        return self.to_first_query_s + self.done_to_first_record_s


def _first_record_time(proc: subprocess.Popen[bytes]) -> float | None:
    """When the first RECORD line arrived; the rest of stdout is drained."""
    assert proc.stdout is not None
    first: float | None = None
    for line in proc.stdout:
        if first is None and line.startswith(b'{"type":"RECORD"'):
            first = time.time()
    return first


def read_once(athena: LocalAthena, config: Path, catalog: Path) -> Phases:
    """One `read` subprocess, its phases from the stand-in's query timestamps."""
    athena.reset_observations()
    started = time.time()
    proc = subprocess.Popen(
        standin.connector_argv("read", "--config", str(config), "--catalog", str(catalog)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=standin.child_env(athena),
    )
    first_record = _first_record_time(proc)
    if proc.wait() != 0 or first_record is None:
        raise RuntimeError(f"read failed (exit {proc.returncode}) or wrote no record")
    ended = time.time()
    client = athena.client("athena")
    queries = [q for q in athena.queries if READ_MARK in q.sql]
    status = client.get_query_execution(QueryExecutionId=queries[0].query_execution_id)["QueryExecution"]["Status"]
    submitted = status["SubmissionDateTime"].timestamp()
    completed = status["CompletionDateTime"].timestamp()
    return Phases(submitted - started, completed - submitted, first_record - completed, ended - started)


def run(rows: int, query_delay_s: float, runs: int) -> list[Phases]:
    """`runs` reads of a `rows` × 10 table, each read query held `query_delay_s` by the stand-in."""
    athena = standin.start()
    try:
        standin.put(athena, TABLE, data.build_table(rows, 10))
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            config = standin.write_json(work / "config.json", standin.connector_config([standin.DATABASE]))
            catalog = standin.configured_catalog(standin.discover(athena, config), [TABLE])
            catalog_path = standin.write_json(work / "catalog.json", catalog)
            athena.faults.delay_query(READ_MARK, query_delay_s)
            return [read_once(athena, config, catalog_path) for _ in range(runs)]
    finally:
        athena.stop()


def report(phases: list[Phases]) -> dict[str, Any]:
    """Medians (and the spread) of each phase."""

    def median(name: str) -> float:
        return round(statistics.median(getattr(p, name) for p in phases), 3)

    return {
        "runs": len(phases),
        "start_to_first_query_s": median("to_first_query_s"),
        "query_s": median("query_s"),
        "query_done_to_first_record_s": median("done_to_first_record_s"),
        "overhead_s": median("overhead_s"),
        "overhead_range_s": [round(min(p.overhead_s for p in phases), 3), round(max(p.overhead_s for p in phases), 3)],
        "total_s": median("total_s"),
        "load_average_1m": round(os.getloadavg()[0], 2),  # the figures mean little on a busy machine
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--query-delay", type=float, default=2.0, help="seconds each read query stays RUNNING")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(report(run(args.rows, args.query_delay, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
