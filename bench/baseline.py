"""The baseline reader: ``source-skoot-athena read`` of another checkout of this project, for old-versus-new runs.

Why: "before" numbers used to exist only as text from other runs, on other days and loads. A baseline tree (e.g.
``git worktree add ../before 408b500 && make -C ../before setup``) is run as one more reader of the same
interleaved rounds (same config, catalog, stand-in, ``read`` to /dev/null), so old and new share every condition.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.revisions import tree_revision
from bench.standin import precompile

KEY = "baseline"
# What would make the baseline's interpreter run other code than its own tree's, or write into this tree's
# coverage data: an import path, another venv, and coverage's subprocess start-up (``patch = subprocess`` hands
# the configuration to children through COVERAGE_* variables; pytest-cov through COV_CORE_*).
_LEAKING = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
_LEAKING_PREFIXES = ("COVERAGE_", "COV_CORE_")


class BaselineError(Exception):
    """The baseline tree cannot be run; the message says how to make it."""


@dataclass(frozen=True)
class Baseline:
    """A checkout of this project with its own venv, measured as the reader ``baseline``."""

    root: Path
    revision: str

    @property
    def program(self) -> Path:
        return self.root / ".venv" / "bin" / "source-skoot-athena"

    @property
    def label(self) -> str:
        return f"source-skoot-athena read at {self.revision} (baseline)"

    def argv(self, *args: str) -> list[str]:
        return [str(self.program), *args]

    def to_json(self) -> dict[str, str]:
        return {"path": str(self.root), "revision": self.revision, "program": str(self.program)}


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` (the stand-in's child environment) without what would leak this tree into the baseline's process."""
    return {k: v for k, v in env.items() if k not in _LEAKING and not k.startswith(_LEAKING_PREFIXES)}


def _how_to_make(root: Path) -> str:
    return f"make it with: git worktree add {root} <rev> && make -C {root} setup"


def _imported_from(root: Path) -> Path | None:
    """Where the baseline's interpreter imports source_skoot_athena from, started as its console script is
    (``sys.path[0]`` = the script's folder, not the current directory)."""
    bin_dir = root / ".venv" / "bin"
    done = subprocess.run(
        [str(bin_dir / "python"), "-c", "import source_skoot_athena as m; print(m.__file__)"],
        cwd=bin_dir,
        env=child_env(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 and done.stdout.strip() else None


def resolve(path: Path) -> Baseline:
    """The baseline at ``path``, checked: its venv's console script exists and runs that tree's own code."""
    root = path.expanduser().resolve()
    if not (root / ".venv" / "bin" / "source-skoot-athena").exists():
        raise BaselineError(f"no baseline connector at {root}/.venv/bin/source-skoot-athena; {_how_to_make(root)}")
    imported = _imported_from(root)
    if imported is None or not imported.is_relative_to(root):
        raise BaselineError(
            f"the venv at {root}/.venv imports source_skoot_athena from {imported or 'nowhere'}, not from {root}; "
            f"rebuild it there: rm -rf {root}/.venv && make -C {root} setup"
        )
    precompile(root / "source_skoot_athena")  # as standin.start does for this tree: both measured alike
    return Baseline(root, tree_revision(root))
