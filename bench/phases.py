"""The phase split of a ``read`` and its peak RSS against the UNLOAD file size, with the floor timed the same way.

    python -m bench.phases [--rows 1000000] [--cols 10] [--unload-rows 262144,2500000] [--runs 1]

Phases of one connector ``read`` (one clock: ``time.time()`` here and in the in-process stand-in):
  start-up         process start -> the first query's SubmissionDateTime (GetQueryExecution)
  query            SubmissionDateTime -> CompletionDateTime
  to first record  CompletionDateTime -> the first RECORD line on stdout
  streaming        records / (last RECORD line - first RECORD line)
The floor (bench/floor.py: Parquet -> pyarrow -> orjson, no query) has start-up = process start -> first RECORD
line, and its streaming rate is measured the same way. The stand-in writes UNLOAD files of
``local_athena.result_files.ROWS_PER_UNLOAD_FILE`` rows, set here per scenario (e.g. one 2.5M-row file).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench import data, standin
from bench.baseline import KEY as BASELINE
from bench.baseline import Baseline, child_env
from bench.stream_timing import StreamTiming, timed_stream
from local_athena import LocalAthena, result_files


@dataclass(frozen=True)
class PhaseRun:
    """One timed run of the connector (``unload_rows`` set) or of the floor (``unload_rows`` 0)."""

    reader: str
    rows: int
    cols: int
    unload_rows: int
    startup_s: float | None
    query_s: float | None
    to_first_record_s: float | None
    streaming_rate: float | None
    peak_rss_mb: float
    cpu_s: float
    wall_s: float
    queries: int
    load: float


def _query_times(athena: LocalAthena, query_id: str) -> tuple[float, float | None]:
    status = athena.client("athena").get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    done = status.get("CompletionDateTime")
    return status["SubmissionDateTime"].timestamp(), done.timestamp() if done else None


def _check(timing: StreamTiming, what: str, rows: int) -> None:
    if timing.returncode != 0 or timing.records != rows:
        raise RuntimeError(
            f"{what}: exit {timing.returncode}, {timing.records} records of {rows}\n{timing.stderr_tail}"
        )


def connector_run(
    athena: LocalAthena,
    argv: list[str],
    rows: int,
    cols: int,
    unload_rows: int,
    *,
    reader: str = "connector",
    env: dict[str, str] | None = None,
) -> PhaseRun:
    """One ``read`` with UNLOAD files of ``unload_rows`` rows, split into phases."""
    result_files.ROWS_PER_UNLOAD_FILE = unload_rows
    before = len(athena.queries)
    timing = timed_stream(argv, env or standin.child_env(athena), timeout_s=1800)
    _check(timing, f"{reader} read of {rows} x {cols}", rows)
    queries = athena.queries[before:]
    submitted, completed = _query_times(athena, queries[0].query_execution_id)
    first = timing.first_record
    return PhaseRun(
        reader,
        rows,
        cols,
        unload_rows,
        submitted - timing.started,
        None if completed is None else completed - submitted,
        None if completed is None or first is None else first - completed,
        timing.streaming_rate,
        timing.peak_rss_mb,
        timing.cpu_s,
        timing.ended - timing.started,
        len(queries),
        round(os.getloadavg()[0], 1),
    )


def floor_run(athena: LocalAthena, parquet: Path, table: str, rows: int, cols: int) -> PhaseRun:
    """One floor run on the table's Parquet file: start-up until its first record, then streaming."""
    argv = [sys.executable, "-m", "bench.floor", str(parquet), table, standin.DATABASE]
    timing = timed_stream(argv, standin.child_env(athena), timeout_s=1800)
    _check(timing, f"floor on {rows} x {cols}", rows)
    first = timing.first_record
    startup = None if first is None else first - timing.started
    return PhaseRun(
        "floor",
        rows,
        cols,
        0,
        startup,
        None,
        None,
        timing.streaming_rate,
        timing.peak_rss_mb,
        timing.cpu_s,
        timing.ended - timing.started,
        0,
        round(os.getloadavg()[0], 1),
    )


@dataclass(frozen=True)
class Prepared:
    """One table on the stand-in, ready to read: the connector's ``read`` argv and the table's Parquet file."""

    rows: int
    cols: int
    argv: list[str]
    parquet: Path
    read_args: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return data.table_name(self.rows, self.cols)


def prepare(athena: LocalAthena, sizes: list[tuple[int, int]], workdir: Path) -> list[Prepared]:
    """Each ``(rows, cols)`` table put on the stand-in and written as Parquet for the floor; one discover."""
    cfg = standin.write_json(workdir / "config.json", standin.connector_config([standin.DATABASE]))
    for rows, cols in sizes:
        table = data.build_table(rows, cols)
        standin.put(athena, data.table_name(rows, cols), table)
        pq.write_table(table, workdir / f"{data.table_name(rows, cols)}.parquet", compression="snappy")
        del table
    discovered = standin.discover(athena, cfg)
    out = []
    for rows, cols in sizes:
        name = data.table_name(rows, cols)
        catalog = standin.write_json(workdir / f"{name}.catalog.json", standin.configured_catalog(discovered, [name]))
        read_args = ("read", "--config", str(cfg), "--catalog", str(catalog))
        out.append(Prepared(rows, cols, standin.connector_argv(*read_args), workdir / f"{name}.parquet", read_args))
    return out


def baseline_run(athena: LocalAthena, baseline: Baseline, table: Prepared, unload_rows: int) -> PhaseRun:
    """The same ``read`` by the baseline tree's connector (bench/baseline.py), timed the same way."""
    env = child_env(standin.child_env(athena))
    argv = baseline.argv(*table.read_args)
    return connector_run(athena, argv, table.rows, table.cols, unload_rows, reader=BASELINE, env=env)


def run(
    rows_list: list[int],
    cols_list: list[int],
    unload_rows_list: list[int],
    runs: int,
    workdir: Path,
    baseline: Baseline | None = None,
) -> list[PhaseRun]:
    """Every size: ``runs`` rounds of the floor and the connector (then the baseline, when given) at each UNLOAD
    file size, interleaved."""
    athena = standin.start()
    saved = result_files.ROWS_PER_UNLOAD_FILE
    out: list[PhaseRun] = []
    try:
        for table in prepare(athena, [(r, c) for r in rows_list for c in cols_list], workdir):
            for _ in range(runs):
                out.append(floor_run(athena, table.parquet, table.name, table.rows, table.cols))
                log(out[-1])
                for unload_rows in unload_rows_list:
                    out.append(connector_run(athena, table.argv, table.rows, table.cols, unload_rows))
                    log(out[-1])
                    if baseline is not None:
                        out.append(baseline_run(athena, baseline, table, unload_rows))
                        log(out[-1])
    finally:
        result_files.ROWS_PER_UNLOAD_FILE = saved
        athena.stop()
    return out


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def log(run: PhaseRun) -> None:
    print(
        f"bench.phases: {run.reader:<9} {run.rows:>9,} x {run.cols:<3} unload {run.unload_rows:>9,}  "
        f"start-up {_fmt(run.startup_s, '.2f')} s  query {_fmt(run.query_s, '.2f')} s  "
        f"to 1st {_fmt(run.to_first_record_s, '.2f')} s  stream {_fmt(run.streaming_rate, ',.0f')} rec/s  "
        f"RSS {run.peak_rss_mb:.0f} MB  CPU {run.cpu_s:.1f} s  wall {run.wall_s:.2f} s  load {run.load}",
        file=sys.stderr,
        flush=True,
    )


def summary(runs: list[PhaseRun]) -> list[dict[str, Any]]:
    """Medians per (reader, rows, cols, UNLOAD file rows), with the streaming rate over the floor's."""
    groups: dict[tuple[str, int, int, int], list[PhaseRun]] = {}
    for r in runs:
        groups.setdefault((r.reader, r.rows, r.cols, r.unload_rows), []).append(r)

    def median(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else None

    rows_out = []
    for (reader, rows, cols, unload_rows), group in groups.items():
        floor = median([r.streaming_rate for r in runs if r.reader == "floor" and (r.rows, r.cols) == (rows, cols)])
        rate = median([r.streaming_rate for r in group])
        rows_out.append(
            {
                "reader": reader,
                "rows": rows,
                "cols": cols,
                "unload_rows": unload_rows,
                "runs": len(group),
                "startup_s": median([r.startup_s for r in group]),
                "query_s": median([r.query_s for r in group]),
                "to_first_record_s": median([r.to_first_record_s for r in group]),
                "streaming_rate": rate,
                "over_floor": rate / floor if rate and floor else None,
                "peak_rss_mb": median([r.peak_rss_mb for r in group]),
                "cpu_s": median([r.cpu_s for r in group]),
                "load": median([r.load for r in group]),
            }
        )
    return rows_out


def markdown(rows: list[dict[str, Any]]) -> str:
    """The phase split as a Markdown table."""
    lines = [
        "| reader | rows × cols | UNLOAD file rows | start-up s | query s | query done → 1st record s | "
        "streaming rec/s | ÷ floor | peak RSS MB | CPU s | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['reader']} | {r['rows']:,} × {r['cols']} | {r['unload_rows'] or '—'} | "
            f"{_fmt(r['startup_s'], '.2f')} | {_fmt(r['query_s'], '.2f')} | {_fmt(r['to_first_record_s'], '.2f')} | "
            f"{_fmt(r['streaming_rate'], ',.0f')} | {_fmt(r['over_floor'], '.2f')} | {r['peak_rss_mb']:.0f} | "
            f"{_fmt(r.get('cpu_s'), '.1f')} | {r['load']} |"
        )
    return "\n".join(lines)


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.phases", description=__doc__)
    p.add_argument("--rows", type=_ints, default=[1_000_000])
    p.add_argument("--cols", type=_ints, default=[10])
    p.add_argument("--unload-rows", type=_ints, default=[result_files.ROWS_PER_UNLOAD_FILE, 2_500_000])
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="skoot-phases-") as workdir:
        runs = run(args.rows, args.cols, args.unload_rows, args.runs, Path(workdir))
    print(markdown(summary(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
