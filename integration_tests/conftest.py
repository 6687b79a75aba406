"""Integration tests share one stand-in per session: each test module removes the Glue databases and workgroups
it created, so a later module's Scope A discover or read sees the demo and its own tables only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from image.pytest_plugin import base_standin_image, connector_image, docker_daemon, docker_on_path, image_times  # noqa: F401
from local_athena import LocalAthena


@pytest.fixture(scope="module", autouse=True)
def _module_leaves_no_databases(local_athena: LocalAthena) -> Iterator[None]:
    with local_athena.sandbox():
        yield
