"""The packaging files, read statically: what the built image cannot show (runs in `make test`, in a second).

The Dockerfile is parsed (ARG/FROM, WORKDIR, COPY, the pip install RUN, USER, ENV AIRBYTE_ENTRYPOINT, ENTRYPOINT)
and held to Airbyte's Python connector pattern; metadata.yaml is checked against the Dockerfile (the pinned base
image, which the image tests replace by a local stand-in) and the package; .dockerignore keeps tests and venvs out
of the build context. The image itself (build, user, installed package, every verb) is built and run for real by
integration_tests/test_image.py (`make test-image`), which replaced the venv replay of the Dockerfile.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shlex
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile

ROOT = Path(__file__).resolve().parent.parent
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:4\.0\.2@sha256:[0-9a-f]{64}$")


# --- Dockerfile --------------------------------------------------------------------------------------------


@dataclass
class Dockerfile:
    base_image: str
    workdir: str
    copies: list[tuple[list[str], str]] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    entrypoint: list[str] = field(default_factory=list)
    user: str | None = None

    @property
    def pip_install(self) -> list[str]:
        (line,) = [run for run in self.runs if re.match(r"^(python -m )?pip3? install\b", run)]
        return shlex.split(line)


def _substitute(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], text)


def parse_dockerfile(path: Path) -> Dockerfile:
    """The instructions this project's Dockerfile uses; anything else is an error (so the test cannot drift)."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    args: dict[str, str] = {}
    result: Dockerfile | None = None
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default.strip('"')
            continue
        if keyword == "FROM":
            assert result is None, "one build stage expected"
            result = Dockerfile(base_image=_substitute(rest.split()[0], args), workdir="/")
            continue
        assert result is not None, f"{keyword} before FROM"
        if keyword == "WORKDIR":
            result.workdir = rest
        elif keyword == "COPY":
            parts = shlex.split(rest)
            assert not any(p.startswith("--") for p in parts), f"COPY flags are not replayed: {line}"
            result.copies.append((parts[:-1], parts[-1]))
        elif keyword == "RUN":
            result.runs.append(rest)
        elif keyword in ("ENV", "LABEL"):
            target = result.env if keyword == "ENV" else result.labels
            for token in shlex.split(rest):
                name, _, value = token.partition("=")
                target[name] = value
        elif keyword == "ENTRYPOINT":
            result.entrypoint = json.loads(rest)
        elif keyword == "USER":
            result.user = rest
        else:
            raise AssertionError(f"Dockerfile instruction not replayed by this test: {line}")
    assert result is not None, "no FROM"
    return result


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`) as a regex over a slash-separated relative path."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def is_ignored(relative: Path, patterns: list[str]) -> bool:
    """Docker's rule: a path is excluded when it, or a directory above it, matches a pattern."""
    prefixes = ["/".join(relative.parts[: n + 1]) for n in range(len(relative.parts))]
    return any(_pattern_regex(p).fullmatch(prefix) for p in patterns for prefix in prefixes)


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse_dockerfile(ROOT / "Dockerfile")


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    return data


# --- static checks ------------------------------------------------------------------------------------------


def test_entrypoint_equals_airbyte_entrypoint(dockerfile: Dockerfile) -> None:
    assert dockerfile.entrypoint, "no ENTRYPOINT"
    assert shlex.split(dockerfile.env["AIRBYTE_ENTRYPOINT"]) == dockerfile.entrypoint
    assert dockerfile.entrypoint == ["python", f"{dockerfile.workdir}/main.py"]


def test_dockerfile_follows_the_python_connector_pattern(dockerfile: Dockerfile) -> None:
    assert dockerfile.workdir == "/airbyte/integration_code"
    copied = sorted(src for sources, _ in dockerfile.copies for src in sources)
    assert copied == ["main.py", "setup.py", "source_skoot_athena"]
    pip = dockerfile.pip_install
    assert pip[-1] == ".", "installs the package itself"
    assert not any("[" in token for token in pip), "no extras (tests) in the image"
    assert "--no-cache-dir" in pip
    assert dockerfile.user not in (None, "root", "0"), "runs as a non-root user"
    assert dockerfile.labels.get("io.airbyte.version") == importlib.metadata.version("source-skoot-athena")


def test_dockerignore_keeps_tests_and_venvs_out() -> None:
    patterns = dockerignore_patterns()
    for excluded in (".venv", "integration_tests", "unit_tests", "bench", ".git", "image", "local_athena"):
        assert is_ignored(Path(excluded), patterns), excluded
    assert is_ignored(Path("source_skoot_athena/__pycache__/x.pyc"), patterns)
    for kept in ("setup.py", "main.py", "source_skoot_athena/spec.json", "source_skoot_athena/source.py"):
        assert not is_ignored(Path(kept), patterns), kept


def test_metadata(metadata: dict[str, Any], dockerfile: Dockerfile) -> None:
    assert metadata["metadataSpecVersion"] == "1.0"
    data = metadata["data"]
    assert data["name"] == "Skoot AWS Athena"
    assert str(uuid.UUID(data["definitionId"])) == data["definitionId"]
    assert data["connectorType"] == "source"
    assert data["connectorSubtype"] == "database"
    assert data["dockerRepository"] == "skoot/source-skoot-athena"
    assert data["dockerRepository"] == dockerfile.labels["io.airbyte.name"]
    assert data["dockerImageTag"] == importlib.metadata.version("source-skoot-athena")
    assert data["license"] == "MIT"
    assert data["githubIssueLabel"] == "source-skoot-athena"
    assert data["releaseStage"] == "alpha"
    assert data["supportLevel"] == "community"
    assert set(data["tags"]) >= {"language:python", "cdk:python"}
    assert data["allowedHosts"]["hosts"] == ["*.amazonaws.com"]
    spec = json.loads((ROOT / "source_skoot_athena" / "spec.json").read_text())
    assert data["documentationUrl"] == spec["documentationUrl"]
    base_image = data["connectorBuildOptions"]["baseImage"]
    assert BASE_IMAGE.match(base_image), base_image
    assert dockerfile.base_image == base_image, "Dockerfile FROM and metadata.yaml baseImage differ"
    # The CDK's own reader (used by `airbyte-cdk image build`) accepts it and sees a Python connector.
    parsed = MetadataFile.from_file(ROOT / "metadata.yaml")
    assert parsed.data.language == ConnectorLanguage.PYTHON
