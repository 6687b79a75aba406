"""Build the project's Dockerfile, unchanged apart from its BASE_IMAGE build argument, and measure the result.

Why: the tests build the image exactly as a user would (`docker build .`), only from the local base stand-in,
and report what a user pays: the build time and the image size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from image.daemon import Docker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TAG = "skoot/source-skoot-athena:dev"


@dataclass(frozen=True)
class BuiltImage:
    """An image the daemon holds, with what its build cost."""

    tag: str
    build_seconds: float
    size_bytes: int
    log: str


def build(docker: Docker, *, base_image: str | None = None, tag: str = TAG, timeout: float = 1200) -> BuiltImage:
    """`docker build` of the project root; `--network host` because the daemon has no bridge (pip reaches PyPI)."""
    args = ["build", "--network", "host", "--tag", tag]
    if base_image:
        args += ["--build-arg", f"BASE_IMAGE={base_image}"]
    started = time.monotonic()
    done = docker.run(*args, str(PROJECT_ROOT), timeout=timeout)
    seconds = time.monotonic() - started
    size = int(docker.run("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())
    return BuiltImage(tag, seconds, size, done.stdout)
