"""The peers' own venv (bench/.venv-peers): PyAthena, awswrangler, matplotlib and orjson from PyPI.

Kept apart from the project's venv so that the peers' pins (pandas, pyarrow, …) never touch the connector's,
and nothing is added to setup.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE / ".venv-peers"
REQUIREMENTS = HERE / "requirements-peers.txt"
STAMP = PEERS_VENV / ".installed"


def peers_python() -> Path:
    return PEERS_VENV / "bin" / "python"


def ready() -> bool:
    """The venv exists and was installed from the current requirements file."""
    return STAMP.exists() and STAMP.read_text() == REQUIREMENTS.read_text() and peers_python().exists()


def ensure(quiet: bool = True) -> Path:
    """Create/refresh bench/.venv-peers (pip, ~30 s the first time); returns its python."""
    if ready():
        return peers_python()
    if not peers_python().exists():
        subprocess.run(["python3", "-m", "venv", str(PEERS_VENV)], check=True)
    pip = [str(peers_python()), "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        pip.append("--quiet")
    print(f"bench: installing the peers into {PEERS_VENV} …", file=sys.stderr, flush=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(REQUIREMENTS.read_text())
    return peers_python()


def versions() -> dict[str, str]:
    """Installed versions of the peers' packages (for the report)."""
    if not peers_python().exists():
        return {}
    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({p: m.version(p) for p in "
        "['PyAthena', 'awswrangler', 'pyarrow', 'pandas', 'boto3', 'orjson']}))"
    )
    out = subprocess.run([str(peers_python()), "-c", code], capture_output=True, text=True, check=False)
    import json

    return dict(json.loads(out.stdout)) if out.returncode == 0 else {}
