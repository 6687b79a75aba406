"""``python -m bench --baseline PATH``: another checkout's connector measured beside this one (not timed).

The smoke run takes this project's own root as the baseline (its .venv exists wherever the tests run), so the
baseline reader runs for real: its cells, label and revision must reach the JSON, the markdown and the plot's
layout. The plot itself is drawn only where bench/.venv-peers (matplotlib) is ready.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import plot_bars, report, venv
from bench.baseline import BaselineError, child_env, resolve
from bench.revisions import tree_revision

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("baseline-smoke")
    proc = bench(
        "--smoke",
        "--baseline",
        str(ROOT),
        "--peers",
        "connector,baseline,floor",
        "--phases",
        "--unload-rows",
        "262144",
        "--no-discovery",
        "--no-incremental",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out, json.loads((out / "benchmarks.json").read_text())


def test_smoke_run_measures_the_baseline_like_the_connector(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, doc = smoke
    revision = tree_revision(ROOT)
    assert doc["baseline"] == {
        "path": str(ROOT),
        "revision": revision,
        "program": str(ROOT / ".venv" / "bin" / "source-skoot-athena"),
    }
    assert [p["key"] for p in doc["peers"]] == ["connector", "baseline", "floor"]
    assert doc["peers"][1]["label"] == f"source-skoot-athena read at {revision} (baseline)"
    cells = {c["peer"]: c for c in doc["throughput"]}
    for key in ("connector", "baseline", "floor"):
        assert cells[key]["rate"] and cells[key]["rss_mb"] > 0 and cells[key]["cpu_s"] > 0, cells[key]
        assert [r["returncode"] for r in cells[key]["runs"]] == [0], cells[key]
    phases = {(p["reader"], p["unload_rows"]): p for p in doc["phases"]}
    assert set(phases) == {("floor", 0), ("connector", 262_144), ("baseline", 262_144)}
    old = phases[("baseline", 262_144)]
    assert old["startup_s"] > 0 and old["query_s"] >= 0 and old["to_first_record_s"] >= 0, old
    assert old["peak_rss_mb"] > 0, old


def test_smoke_markdown_names_the_baseline(smoke: tuple[Path, dict[str, Any]]) -> None:
    out, doc = smoke
    revision = doc["baseline"]["revision"]
    md = (out / "benchmarks.md").read_text()
    assert f"connector at {doc['connector_revision']}, baseline at {revision})" in md
    rows = [line for line in md.splitlines() if f"read at {revision} (baseline) |" in line]
    assert len(rows) == 1, md
    cells = {c["peer"]: c for c in doc["throughput"]}
    vs_connector = rows[0].split("|")[8].strip()
    assert vs_connector == format(cells["baseline"]["rate"] / cells["connector"]["rate"], ".2f")
    assert f"| baseline {revision} | 2,000 × 10 | 262144 |" in md  # the phase split's row
    assert f"`{ROOT}` at {revision}" in md  # the method paragraph and the readers' list


def test_smoke_plot_puts_the_baseline_beside_the_connector(smoke: tuple[Path, dict[str, Any]]) -> None:
    out, doc = smoke
    bars = {s.key: s for s in plot_bars.series(doc)}
    assert list(bars) == ["connector", "baseline", "floor"]
    width = plot_bars.bar_width(doc)
    assert bars["baseline"].xs == [pytest.approx(x + width) for x in bars["connector"].xs]
    assert bars["baseline"].heights == [c["rate"] for c in doc["throughput"] if c["peer"] == "baseline"]
    assert bars["baseline"].label == doc["peers"][1]["label"]
    assert (bars["baseline"].color, bars["baseline"].edgecolor) == (plot_bars.BASELINE_COLOR, plot_bars.CONNECTOR_COLOR)
    assert bars["baseline"].hatch and bars["connector"].hatch is None
    assert (out / "benchmarks.png").exists() == venv.peers_python().exists()


def test_rerender_with_and_without_a_baseline(smoke: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = smoke
    # The committed results with their baseline taken out: a JSON written before `--baseline` existed.
    committed = json.loads((ROOT / "docs" / "benchmarks.json").read_text())
    committed.pop("baseline", None)
    committed["peers"] = [p for p in committed["peers"] if p["key"] != "baseline"]
    committed["throughput"] = [c for c in committed["throughput"] if c["peer"] != "baseline"]
    (tmp_path / "committed.json").write_text(json.dumps(committed))
    for name, source in (("with", out / "benchmarks.json"), ("without", tmp_path / "committed.json")):
        (tmp_path / name).mkdir()
        copy = tmp_path / name / "benchmarks.json"
        shutil.copy(source, copy)
        proc = bench("--rerender", str(copy), timeout=120)
        assert proc.returncode == 0, proc.stderr[-4000:]
        md = (tmp_path / name / "benchmarks.md").read_text()
        assert ("(baseline) |" in md) == (name == "with"), md[:3000]
    assert (tmp_path / "with" / "benchmarks.md").read_text() == (out / "benchmarks.md").read_text()


def test_layout_without_a_baseline_keeps_every_readers_colour() -> None:
    doc = {
        "peers": [{"key": k, "label": k} for k in ("connector", "floor", "pyathena")],
        "throughput": [
            {"peer": k, "rows": 1000, "cols": c, "rate": r}
            for k, r in (("connector", 3.0), ("floor", 2.0), ("pyathena", 1.0))
            for c in (10, 50)
        ],
    }
    bars = plot_bars.series(doc)
    assert [(s.key, s.color, s.hatch) for s in bars] == [
        ("connector", plot_bars.CONNECTOR_COLOR, None),
        ("floor", plot_bars.OTHER_COLORS[0], "//"),
        ("pyathena", plot_bars.OTHER_COLORS[1], None),
    ]
    assert bars[0].xs == pytest.approx([-0.8 / 3, 1 - 0.8 / 3])  # three bars a group, the connector first


def test_verdict_at_1m_rows_counts_the_baseline_apart_from_the_peers() -> None:
    rates = {"connector": 200_000.0, "baseline": 100_000.0, "floor": 160_000.0}
    doc: dict[str, Any] = {
        "baseline": {"path": "/x", "revision": "408b500", "program": "/x/.venv/bin/source-skoot-athena"},
        "throughput": [{"peer": k, "rows": 1_000_000, "cols": 10, "rate": r} for k, r in rates.items()],
    }
    assert report.verdicts(doc) == [
        "- 1,000,000 rows × 10 columns: no peer measured; floor/connector = 0.80× (within 1.7×); "
        "baseline (408b500) = 0.50× the connector's records/s."
    ]


@pytest.mark.skipif(not venv.ready(), reason="draws with matplotlib from bench/.venv-peers (python -m bench makes it)")
def test_plot_draws_the_baseline_bar(tmp_path: Path) -> None:
    """The PNG has pixels of the baseline's colour exactly when the results have a baseline."""
    counts = {}
    for with_baseline in (True, False):
        keys = ["connector", "baseline", "floor"] if with_baseline else ["connector", "floor"]
        doc: dict[str, Any] = {
            "machine": "m",
            "date": "d",
            "connector_revision": "new",
            "peers": [{"key": k, "label": k} for k in keys],
            "throughput": [{"peer": k, "rows": 1000, "cols": 10, "rate": 1000.0 + i} for i, k in enumerate(keys)],
        }
        if with_baseline:
            doc["baseline"] = {"path": "/x", "revision": "old", "program": "/x/.venv/bin/source-skoot-athena"}
        results, png = tmp_path / f"{with_baseline}.json", tmp_path / f"{with_baseline}.png"
        results.write_text(json.dumps(doc))
        subprocess.run([str(venv.peers_python()), str(ROOT / "bench" / "plot.py"), str(results), str(png)], check=True)
        code = (
            "import sys, numpy as np, matplotlib.image as im; a = (im.imread(sys.argv[1])[..., :3] * 255).round(); "
            "print(int((np.abs(a - np.array(sys.argv[2:5], float)).max(axis=-1) < 2).sum()))"
        )
        rgb = [str(int(plot_bars.BASELINE_COLOR[i : i + 2], 16)) for i in (1, 3, 5)]
        done = subprocess.run(
            [str(venv.peers_python()), "-c", code, str(png), *rgb], capture_output=True, text=True, check=True
        )
        counts[with_baseline] = int(done.stdout)
    assert counts[True] > 1000 and counts[False] == 0, counts


def test_missing_baseline_venv_says_how_to_make_it(tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    proc = bench("--smoke", "--baseline", str(before), "--out", str(tmp_path / "out"), timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert f"no baseline connector at {before}/.venv/bin/source-skoot-athena" in proc.stderr
    assert f"git worktree add {before} <rev> && make -C {before} setup" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # it failed before any work


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peers", "connector,baseline"], "--peers names 'baseline' but no --baseline PATH was given"),
        (["--peers", "connector,floor", "--baseline", str(ROOT)], "add 'baseline' to --peers"),
    ],
)
def test_peers_and_baseline_must_agree(tmp_path: Path, args: list[str], message: str) -> None:
    proc = bench("--smoke", *args, "--out", str(tmp_path / "out"), timeout=60)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_venv_that_runs_another_trees_code_is_refused(tmp_path: Path) -> None:
    """A venv copied from another checkout imports that checkout's code (its editable install): not a baseline."""
    fake = tmp_path / "copied"
    bin_dir = fake / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(ROOT / ".venv" / "bin" / "python")
    (fake / ".venv" / "lib").symlink_to(ROOT / ".venv" / "lib")
    shutil.copy(ROOT / ".venv" / "pyvenv.cfg", fake / ".venv" / "pyvenv.cfg")
    (bin_dir / "source-skoot-athena").write_text("#!/bin/sh\n")
    with pytest.raises(BaselineError, match=f"imports source_skoot_athena from {ROOT}/source_skoot_athena"):
        resolve(fake)


def test_baseline_env_drops_what_would_run_this_tree() -> None:
    env = {
        "PYTHONPATH": str(ROOT),
        "VIRTUAL_ENV": str(ROOT / ".venv"),
        "COVERAGE_PROCESS_START": "x",
        "COV_CORE_SOURCE": "x",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
        "PATH": "/usr/bin",
    }
    assert child_env(env) == {"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "PATH": "/usr/bin"}


def test_tree_revision(tmp_path: Path) -> None:
    assert tree_revision(tmp_path) == "unknown"

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "source_skoot_athena").mkdir()
    (tmp_path / "source_skoot_athena" / "x.py").write_text("a = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    head = git("rev-parse", "--short", "HEAD")
    assert tree_revision(tmp_path) == head
    (tmp_path / "source_skoot_athena" / "x.py").write_text("a = 2\n")
    assert tree_revision(tmp_path) == head + "+dirty"
