"""Which code a benchmark measured: a checkout's short git revision, marked when its connector source is dirty."""

from __future__ import annotations

import subprocess
from pathlib import Path


def tree_revision(root: Path) -> str:
    """HEAD's short hash of the checkout at ``root``, ``+dirty`` when its source_skoot_athena has uncommitted
    changes (the venvs install it editable, so those changes are what runs); ``unknown`` outside git."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--", "source_skoot_athena") else "")
