"""Records/s and peak RSS of the connector, the floor and the peers on the same tables, runs interleaved."""

from __future__ import annotations

import json
import os
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from bench import data, standin, venv
from bench.baseline import KEY as BASELINE
from bench.baseline import Baseline, child_env
from bench.proc import Measured, measure

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Peer:
    key: str
    label: str
    needs_peers_venv: bool


PEERS = [
    Peer("connector", "source-skoot-athena read (this)", False),
    Peer("floor", "floor: Parquet → pyarrow → orjson RECORD lines", False),
    Peer("pyathena", "PyAthena Cursor (GetQueryResults)", True),
    Peer("pyathena_arrow", "PyAthena ArrowCursor (CSV)", True),
    Peer("pyathena_arrow_unload", "PyAthena ArrowCursor unload=True", True),
    Peer("wrangler_csv", "awswrangler read_sql_query (CSV)", True),
    Peer("wrangler_unload", "awswrangler unload_approach=True", True),
]
# The readers that are this project's command line (this tree's and the baseline's): no ``rows=N`` of their own,
# their output is checked once per size instead.
CONNECTORS = ("connector", BASELINE)


def readers(baseline: Baseline | None) -> list[Peer]:
    """Every reader, the baseline (when given) right after the connector so that tables and plots pair them."""
    if baseline is None:
        return list(PEERS)
    return [PEERS[0], Peer(BASELINE, baseline.label, False), *PEERS[1:]]


@dataclass
class Cell:
    """All runs of one peer on one size."""

    peer: str
    rows: int
    cols: int
    runs: list[dict[str, float | int | str]] = field(default_factory=list)
    note: str = ""

    def ok_runs(self) -> list[dict[str, float | int | str]]:
        return [r for r in self.runs if r["returncode"] == 0]

    @property
    def wall_s(self) -> float | None:
        ok = self.ok_runs()
        return statistics.median(float(r["wall_s"]) for r in ok) if ok else None

    @property
    def rss_mb(self) -> float | None:
        ok = self.ok_runs()
        return statistics.median(float(r["peak_rss_mb"]) for r in ok) if ok else None

    @property
    def cpu_s(self) -> float | None:
        ok = self.ok_runs()
        return statistics.median(float(r["cpu_s"]) for r in ok) if ok else None

    @property
    def rate(self) -> float | None:
        wall = self.wall_s
        return self.rows / wall if wall else None


@dataclass
class Sizes:
    rows: list[int]
    cols: list[int]


def _argv(peer: Peer, table: str, cfg: Path, catalog: Path, parquet: Path, baseline: Baseline | None) -> list[str]:
    if peer.key == "connector":
        return standin.connector_argv("read", "--config", str(cfg), "--catalog", str(catalog))
    if peer.key == BASELINE:
        if baseline is None:
            raise ValueError("the baseline reader needs a Baseline")
        return baseline.argv("read", "--config", str(cfg), "--catalog", str(catalog))
    if peer.key == "floor":
        return [sys.executable, "-m", "bench.floor", str(parquet), table, standin.DATABASE]
    return [
        str(venv.peers_python()),
        str(HERE / "peer.py"),
        peer.key,
        f'SELECT * FROM "{standin.DATABASE}"."{table}"',
        "--database",
        standin.DATABASE,
        "--workgroup",
        standin.WORKGROUP,
        "--staging",
        standin.RESULTS,
        "--region",
        standin.REGION,
    ]


def _rows_reported(m: Measured) -> int | None:
    for line in reversed(m.stderr_tail.splitlines()):
        if line.startswith("rows="):
            return int(line[5:])
    return None


def _connector_records(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.startswith(b'{"type":"RECORD"'):
                json.loads(line)
                count += 1
    return count


def _check_run(argv: list[str], env: dict[str, str], out: Path, rows: int, timeout_s: float, what: str) -> None:
    """One unmeasured run whose output is kept: every row arrives as valid JSON."""
    m = measure(argv, env, timeout_s=timeout_s, stdout_path=str(out))
    got = _connector_records(out)
    out.unlink()
    if m.returncode != 0 or got != rows:
        raise RuntimeError(f"{what} check run: exit {m.returncode}, {got} records of {rows}\n{m.stderr_tail}")


def run(
    sizes: Sizes,
    runs: int,
    workdir: Path,
    *,
    peers: list[Peer],
    timeout_s: float,
    slow_cutoff_s: float,
    baseline: Baseline | None = None,
    log: bool = True,
) -> list[Cell]:
    """Load every table, then per size: ``runs`` rounds of every peer, the order rotated each round."""
    athena = standin.start()
    env = standin.child_env(athena)
    envs = {BASELINE: child_env(env)}  # the baseline runs its own tree's code only
    cells: dict[tuple[str, int, int], Cell] = {}
    try:
        combos = [(r, c) for r in sizes.rows for c in sizes.cols]
        cfg = standin.write_json(workdir / "config.json", standin.connector_config([standin.DATABASE]))
        for rows, cols in combos:
            table = data.build_table(rows, cols)
            name = data.table_name(rows, cols)
            standin.put(athena, name, table)
            pq.write_table(table, workdir / f"{name}.parquet", compression="snappy")  # same bytes as put_table
            del table
        discovered = standin.discover(athena, cfg)
        for rows, cols in combos:
            name = data.table_name(rows, cols)
            catalog = standin.write_json(
                workdir / f"{name}.catalog.json", standin.configured_catalog(discovered, [name])
            )
            parquet = workdir / f"{name}.parquet"
            for peer in [PEERS[0], *(p for p in peers if p.key == BASELINE)]:
                argv = _argv(peer, name, cfg, catalog, parquet, baseline)
                out = workdir / f"{name}.check.jsonl"
                _check_run(argv, envs.get(peer.key, env), out, rows, timeout_s, f"{peer.key} on {name}")
            slow: set[str] = set()
            for round_no in range(runs):
                order = peers[round_no % len(peers) :] + peers[: round_no % len(peers)]
                for peer in order:
                    cell = cells.setdefault((peer.key, rows, cols), Cell(peer.key, rows, cols))
                    if peer.key in slow:
                        continue
                    argv = _argv(peer, name, cfg, catalog, parquet, baseline)
                    m = measure(argv, envs.get(peer.key, env), timeout_s=timeout_s)
                    reported = _rows_reported(m)
                    status = m.returncode
                    if status == 0 and peer.key not in CONNECTORS and reported != rows:
                        status = 99
                        cell.note = f"reported {reported} rows of {rows}"
                    if status != 0 and not cell.note:
                        last = (m.stderr_tail.strip().splitlines() or ["?"])[-1]
                        cell.note = "timeout" if status == -9 else f"exit {status}: {last[:200]}"
                    cell.runs.append(
                        {
                            "wall_s": m.wall_s,
                            "peak_rss_mb": m.peak_rss_mb,
                            "cpu_s": m.cpu_s or 0.0,
                            "returncode": status,
                        }
                    )
                    if log:
                        print(
                            f"bench: {name} round {round_no + 1}/{runs} {peer.key:<22} {m.wall_s:8.2f} s "
                            f"{m.peak_rss_mb:7.0f} MB cpu {m.cpu_s or 0:7.2f} s exit {status} "
                            f"load {os.getloadavg()[0]:.1f}",
                            file=sys.stderr,
                            flush=True,
                        )
                    if m.wall_s > slow_cutoff_s or status != 0:
                        slow.add(peer.key)  # one run is enough to know it: keeps the whole benchmark bounded
                        if status == 0:
                            cell.note = f"1 run (over {slow_cutoff_s:.0f} s)"
    finally:
        athena.stop()
    return list(cells.values())


def to_json(cells: list[Cell]) -> list[dict[str, object]]:
    return [{**asdict(c), "wall_s": c.wall_s, "rate": c.rate, "rss_mb": c.rss_mb, "cpu_s": c.cpu_s} for c in cells]
