"""The benchmark's smoke run (tiny sizes, one run) so that ``python -m bench`` cannot rot unnoticed.

Here only the connector and the floor are run (with the discovery and incremental scenarios): the peers need
bench/.venv-peers, which a fresh clone does not have and the smoke run never installs, and their 1 s polling
would push the test past its budget. Their scripts are compiled here; ``python -m bench --smoke`` runs them too
when that venv is ready.
"""

from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_peer_scripts_compile() -> None:
    for script in ("peer.py", "plot.py"):
        py_compile.compile(str(HERE / script), doraise=True, cfile=None)


def test_smoke_run(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--peers", "connector,floor", "--phases", "--out", str(tmp_path)],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads((tmp_path / "benchmarks.json").read_text())
    cells = {c["peer"]: c for c in doc["throughput"]}
    for key in ("connector", "floor"):
        assert cells[key]["rate"], (key, cells[key])
    for key, cell in cells.items():
        assert all(r["returncode"] == 0 for r in cell["runs"]), (key, cell)
        assert cell["rss_mb"] > 0, (key, cell)
    assert doc["incremental"]["full_records"] == 1000
    assert doc["incremental"]["incremental_scanned_bytes"] < doc["incremental"]["full_scanned_bytes"]
    assert doc["discovery"]["streams"] >= 10
    assert doc["discovery"]["glue_calls"]
    phases = {(p["reader"], p["unload_rows"]): p for p in doc["phases"]}
    assert set(phases) == {("floor", 0), ("connector", 262_144), ("connector", 2_500_000)}
    for (reader, _), phase in phases.items():
        assert phase["startup_s"] > 0 and phase["peak_rss_mb"] > 0, phase
        if reader == "connector":
            assert phase["query_s"] >= 0 and phase["to_first_record_s"] >= 0, phase
    md = (tmp_path / "benchmarks.md").read_text()
    assert "source-skoot-athena read" in md and "## Discovery" in md and "## Phase split" in md


def test_measured_connector_trees_are_precompiled_as_an_installed_package_is(tmp_path: Path) -> None:
    """The measured runs never write bytecode (PYTHONDONTWRITEBYTECODE), so the bench compiles a tree first: else
    every run would pay compiling the checkout's modules, which an installed package or the image never does."""
    import importlib.util

    from bench.standin import precompile

    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    sources = [package / "__init__.py", package / "sub" / "mod.py"]
    for source in sources:
        source.write_text("VALUE = 1\n")
    precompile(package)
    assert all(Path(importlib.util.cache_from_source(str(source))).is_file() for source in sources)
    (package / "broken.py").write_text("def (\n")
    with pytest.raises(RuntimeError, match="could not compile"):
        precompile(package)
