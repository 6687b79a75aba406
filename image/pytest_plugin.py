"""pytest fixtures for the image tests: the session's own dockerd, the base stand-in in it, the built image.

Why: one daemon and one build per session (the build is the slow part); the daemon is stopped by its pid when the
session ends, also after a failure, so no dockerd outlives the tests. Times are collected per verb and printed
(and written to build/image-times.json) when the session ends, for the README and the issue note.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from image import base_standin
from image.connector_image import PROJECT_ROOT, BuiltImage, build
from image.daemon import Docker, LocalDockerd

TOOLS = ("dockerd", "docker", "debootstrap")
HOST_NETWORK_SHIM = Path(__file__).resolve().parent / "host-network"


@pytest.fixture(scope="session")
def docker_daemon() -> Iterator[Docker]:
    """A started loopback-only dockerd of this session; stopped (SIGTERM to its pid) at the end."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run image/install-tools.sh (or `make test-image`)")
    if os.geteuid() != 0:
        pytest.fail("dockerd and debootstrap need root: run the image tests as root")
    daemon = LocalDockerd()
    try:
        yield daemon.start()
    finally:
        daemon.stop(remove_in_background=True)


@pytest.fixture(scope="session")
def base_standin_image(docker_daemon: Docker) -> str:
    """The local stand-in for airbyte/python-connector-base, imported from its cached tarball (built if missing)."""
    return base_standin.import_into(docker_daemon)


@pytest.fixture(scope="session")
def image_times(request: pytest.FixtureRequest) -> Iterator[dict[str, float]]:
    """Seconds per measured step (build, each verb in the container, the venv's run of the same verb)."""
    times: dict[str, float] = {}
    yield times
    if times:
        out = PROJECT_ROOT / "build" / "image-times.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(times, indent=2) + "\n")
        lines = [f"image times ({out.relative_to(PROJECT_ROOT)}):"]
        lines += [f"  {step:<32} {value:8.1f}" for step, value in times.items()]
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print("\n" + "\n".join(lines), flush=True)


@pytest.fixture(scope="session")
def connector_image(docker_daemon: Docker, base_standin_image: str, image_times: dict[str, float]) -> BuiltImage:
    """The project's Dockerfile built on the stand-in (BASE_IMAGE is the only change)."""
    built = build(docker_daemon, base_image=base_standin_image)
    image_times["build"] = built.build_seconds
    image_times["image_size_mb"] = built.size_bytes / 1e6
    return built


@pytest.fixture
def docker_on_path(docker_daemon: Docker, monkeypatch: pytest.MonkeyPatch) -> Docker:
    """`docker` on PATH, for tools that call it themselves (the CDK's image tests): this session's daemon, and
    every `docker run` on the host network with the AWS endpoint variables (image/host-network/docker)."""
    monkeypatch.setenv("DOCKER_HOST", docker_daemon.host)
    monkeypatch.setenv("SKOOT_DOCKER_CLI", docker_daemon.cli)
    monkeypatch.setenv("PATH", f"{HOST_NETWORK_SHIM}{os.pathsep}{os.environ['PATH']}")
    return docker_daemon
