"""What the Airbyte platform and its UI read from the repository: metadata.yaml, the spec's form hints, LICENSE, icon.

metadata.yaml fields per Airbyte's ConnectorMetadataDefinitionV0 (airbytehq/airbyte,
airbyte-ci/connectors/metadata_service/lib/metadata_service/models/src/ConnectorMetadataDefinitionV0.yaml).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
import yaml

from integration_tests.protocol import GUIDE_TITLES
from source_skoot_athena.config import FORM, REQUIRED, SPEC
from source_skoot_athena.read.progress import DEFAULT_HEARTBEAT_S

ROOT = Path(__file__).resolve().parents[1]
ATHENA_MAX_QUERY_MS = 240 * 60 * 1000  # Athena service quotas: DML query timeout, maximum 240 minutes


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    return data


def test_the_image_name_is_one_a_user_can_push(metadata: dict[str, Any]) -> None:
    assert not metadata["dockerRepository"].startswith("airbyte/"), "airbyte/ is Airbyte's own Docker Hub namespace"
    assert re.fullmatch(r"[a-z0-9.-]+(/[a-z0-9._-]+)+", metadata["dockerRepository"])


def test_license_file_setup_and_metadata_agree(metadata: dict[str, Any]) -> None:
    assert metadata["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert importlib.metadata.metadata("source-skoot-athena")["License"] == "MIT"


def test_the_icon_is_an_svg_the_metadata_names(metadata: dict[str, Any]) -> None:
    root = ElementTree.parse(ROOT / metadata["icon"]).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")


def test_silence_allowed_covers_the_longest_query_without_heartbeat(metadata: dict[str, Any]) -> None:
    """The only wait without a heartbeat (an incremental stream's max(cursor)) is bounded by the Query Timeout."""
    longest_query_s = FORM["query_timeout_ms"]["maximum"] / 1000
    assert FORM["query_timeout_ms"]["maximum"] == ATHENA_MAX_QUERY_MS
    assert longest_query_s < metadata["maxSecondsBetweenMessages"] <= 86_400
    assert metadata["maxSecondsBetweenMessages"] > DEFAULT_HEARTBEAT_S


def test_every_pattern_has_a_descriptor_and_only_the_guides_fields_are_required() -> None:
    guide_fields = {key for key, field in FORM.items() if field["title"] in GUIDE_TITLES}
    for key, field in FORM.items():
        if "pattern" in field:
            assert field.get("pattern_descriptor"), key
        # The guide's form is always shown (its defaults prefilled); every other field is optional, so the UI
        # folds it under "Optional fields".
        assert (key in REQUIRED) == (key in guide_fields), key
        assert "(optional)" not in field["title"], "the UI marks optional fields itself"
    assert json.loads(json.dumps(SPEC)) == SPEC
