"""airbyte-cdk's standard source tests (the successor of the acceptance-test container), run in-process.

The suite reads `integration_tests/acceptance-test-config.yml` and runs spec, check (demo config: SUCCEEDED;
invalid_config.json: FAILED), discover and full-refresh reads of every demo stream against the local Athena
stand-in over real HTTP. Its Docker image tests (`image_tests` marker, deselected by `make test`) run the same
commands in the image built from the Dockerfile by the session's own dockerd (image/pytest_plugin.py;
`make test-image`), the image passed as the CDK's connector image override.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

# The CDK's hooks, imported so that this module alone parametrizes its tests by scenario (the root conftest is
# not ours to change): `pytest_generate_tests` turns acceptance-test-config.yml into `scenario` parameters.
from airbyte_cdk.test.standard_tests.pytest_hooks import (  # noqa: F401
    pytest_generate_tests,
    read_from_streams,
)
from boltons.typeutils import classproperty

from image.connector_image import BuiltImage
from image.daemon import Docker
from integration_tests.connector import connector_env
from local_athena import LocalAthena
from source_skoot_athena.source import SourceSkootAthena

CONNECTOR_ROOT = Path(__file__).resolve().parent.parent
ACCEPTANCE_TEST_CONFIG = Path(__file__).resolve().parent / "acceptance-test-config.yml"


@pytest.fixture(autouse=True)
def _aws_points_at_local_athena(local_athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process runs read the environment: only the stand-in's AWS_* variables (no service endpoints, profiles
    or keys of the caller's shell), as for the command-line runs."""
    local_athena.faults.clear()
    sanitised = connector_env(local_athena.env())  # the same environment as every CLI run: no AWS_* of the shell
    for name in [n for n in os.environ if n not in sanitised]:
        monkeypatch.delenv(name)
    for name, value in local_athena.env().items():
        monkeypatch.setenv(name, value)
    yield


@pytest.fixture
def connector_image_override(connector_image: BuiltImage, docker_on_path: Docker) -> str:
    """The CDK's image tests use the image built from the project's Dockerfile (the CDK's own build needs buildx
    and pulls the real base image), with `docker` on PATH bound to the session's loopback-only daemon."""
    return connector_image.tag


@pytest.fixture
def connector_base_image_override() -> str | None:
    """No base override: the image is given whole (the CDK hook reads a command-line option this suite does not
    register)."""
    return None


@pytest.fixture
def read_scenarios() -> str:
    """The image read covers every config listed under a read section (the CDK's default reads only a scenario
    named config, valid_config or default; ours is sample_config)."""
    return "all"


class TestSkootAthenaStandardSuite(SourceTestSuiteBase):
    """Every standard source test of airbyte-cdk, against SourceSkootAthena and the local demo."""

    connector = SourceSkootAthena

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        """The project root (metadata.yaml, setup.py).

        The CDK's default walks up from this file and stops at the first directory holding an
        acceptance-test-config.yml, which here is integration_tests/ itself.
        """
        return CONNECTOR_ROOT

    @classproperty
    def connector_name(cls) -> str:
        return "source-skoot-athena"

    @classproperty
    def acceptance_test_config(cls) -> Any:
        """integration_tests/acceptance-test-config.yml (the CDK looks for it in the connector root)."""
        tests_config = yaml.safe_load(ACCEPTANCE_TEST_CONFIG.read_text())
        if "acceptance_tests" not in tests_config:
            raise ValueError(f"No `acceptance_tests` in {ACCEPTANCE_TEST_CONFIG}.")
        return tests_config


def test_every_section_has_scenarios() -> None:
    """The config yields the scenarios the suite is meant to run (a typo would silently skip a command)."""
    scenarios = {s.id: s for s in TestSkootAthenaStandardSuite.get_scenarios()}
    assert set(scenarios) == {"sample_config", "invalid_config"}
    assert scenarios["sample_config"].commands == {"spec", "check", "discover", "read"}
    assert scenarios["invalid_config"].commands == {"check"}
    assert scenarios["invalid_config"].status == "failed"
    assert scenarios["sample_config"].test_strictness_level == "high"
