"""Run a connector verb in the image the way Airbyte does: files mounted read-only under /secrets, host network.

Why: Airbyte starts `docker run <image> <verb> --config /secrets/config.json …` as the image's own user, with the
job's files mounted read-only; the container gets `--network host` here because the test daemon has no bridge,
so the connector reaches the local Athena stand-in on 127.0.0.1 as it would from a venv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from image.daemon import Docker

MOUNT = "/secrets"


@dataclass(frozen=True)
class ContainerRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@contextmanager
def mounted_files(files: Mapping[str, Any]) -> Iterator[tuple[Path, list[str]]]:
    """Each non-None file (dict/list as JSON, str as is) in a fresh dir the image's user can read; the verb's args."""
    directory = Path(tempfile.mkdtemp(prefix="skoot-secrets-"))
    try:
        directory.chmod(0o755)  # the container's user (uid 1000) is not the owner of the host dir
        args: list[str] = []
        for name, content in files.items():
            if content is None:
                continue
            path = directory / f"{name}.json"
            path.write_text(content if isinstance(content, str) else json.dumps(content))
            path.chmod(0o644)
            args += [f"--{name}", f"{MOUNT}/{path.name}"]
        yield directory, args
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def docker_run_args(
    image: str, verb: str, directory: Path, env: Mapping[str, str], *, name: str | None = None
) -> list[str]:
    """`run --rm --network host -v dir:/secrets:ro -e … <image> <verb>` (no --user: the image's USER applies)."""
    args = ["run", "--rm", "--network", "host", "-v", f"{directory}:{MOUNT}:ro"]
    if name:
        args += ["--name", name]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    return [*args, image, verb]


def run_verb(
    docker: Docker, image: str, verb: str, env: Mapping[str, str], *, timeout: float = 600, **files: Any
) -> ContainerRun:
    """`docker run` one verb to completion; `seconds` is the wall time of the whole `docker run`."""
    with mounted_files(files) as (directory, file_args):
        argv = [docker.cli, *docker_run_args(image, verb, directory, env), *file_args]
        started = time.monotonic()
        done = subprocess.run(argv, env=docker.env(), capture_output=True, text=True, timeout=timeout)
        seconds = time.monotonic() - started
    return ContainerRun(done.returncode, done.stdout, done.stderr, seconds)
