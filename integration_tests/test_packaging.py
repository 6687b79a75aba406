"""The image, without a Docker engine: the Dockerfile's own steps replayed in a fresh venv, then its ENTRYPOINT.

The Dockerfile is parsed (ARG/FROM, WORKDIR, COPY, the pip install RUN, USER, ENV AIRBYTE_ENTRYPOINT,
ENTRYPOINT); exactly what it copies goes into a temporary WORKDIR; a new venv (no system or project
site-packages) gets the same `pip install`; the ENTRYPOINT runs `spec`. metadata.yaml is checked against the
Dockerfile and the package.

The only liberty taken with the RUN line: `--no-cache-dir` is dropped so pip may reuse wheels from a local pip
cache where there is one (it changes the image's size, not what is installed). The install downloads and
installs every runtime dependency (airbyte-cdk, boto3, pyarrow, pandas, …): ~85-95 s here, every run (this
machine's package index answers with responses pip does not cache). Under the 3 min line, so not marked slow.
Without a reachable package index (probed once per session) the two replay tests are skipped with the reason.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile
from airbyte_protocol.models import Type

from integration_tests.package_index import PROBE_REQUIREMENT, skip_unless_reachable
from integration_tests.protocol import SPEC_TITLES, assert_valid_protocol, of_type

ROOT = Path(__file__).resolve().parent.parent
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:4\.0\.2@sha256:[0-9a-f]{64}$")
TEST_ONLY_MODULES = ("moto", "pytest", "duckdb", "hypothesis", "sqlglot", "mypy", "ruff")


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
    for excluded in (".venv", "integration_tests", "unit_tests", "bench", ".git"):
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
    assert data["dockerRepository"] == "airbyte/source-skoot-athena"
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


# --- the image, replayed -----------------------------------------------------------------------------------


@dataclass
class Image:
    root: Path
    workdir: Path
    venv: Path
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def entrypoint(self, dockerfile: Dockerfile) -> list[str]:
        """The ENTRYPOINT with `python` the image's interpreter and WORKDIR paths mapped into the replay."""
        command = [str(self.python) if part == "python" else part for part in dockerfile.entrypoint]
        return [
            str(self.workdir) + part[len(dockerfile.workdir) :] if part.startswith(dockerfile.workdir) else part
            for part in command
        ]


@pytest.fixture(scope="module")
def image(dockerfile: Dockerfile, tmp_path_factory: pytest.TempPathFactory) -> Image:
    skip_unless_reachable("replaying the Dockerfile's pip install")
    root = tmp_path_factory.mktemp("image")
    workdir = root / dockerfile.workdir.lstrip("/")
    workdir.mkdir(parents=True)
    patterns = dockerignore_patterns()
    for sources, dest in dockerfile.copies:
        target = workdir / dest
        for source in sources:
            src = ROOT / source
            assert src.exists(), f"COPY source {source} does not exist"
            assert not is_ignored(Path(source), patterns), f"COPY source {source} is excluded by .dockerignore"
            to = target if not dest.endswith("/") or src.is_dir() else target / src.name
            if src.is_dir():
                shutil.copytree(
                    src,
                    to,
                    ignore=lambda d, names: [n for n in names if is_ignored(Path(d, n).relative_to(ROOT), patterns)],
                )
            else:
                to.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, to)
    venv = root / "usr-local"
    # The base interpreter (not the project's venv), and no --system-site-packages: only what pip installs.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    # This machine's pip settings (index, certificates, proxies) apply as they would to a build here.
    passthrough = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "SSL_CERT_FILE")
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in passthrough})
    pip = dockerfile.pip_install
    pip_args = [arg for arg in pip[pip.index("install") + 1 :] if arg != "--no-cache-dir"]
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", *pip_args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, f"pip install failed:\n{install.stdout[-3000:]}\n{install.stderr[-3000:]}"
    return Image(root, workdir, venv, env)


def spec_properties(stdout: str) -> dict[str, Any]:
    messages = assert_valid_protocol(stdout)
    (message,) = of_type(messages, Type.SPEC)
    assert message.spec is not None
    properties: dict[str, Any] = message.spec.connectionSpecification["properties"]
    return properties


@pytest.mark.timeout(900)
def test_entrypoint_runs_spec(image: Image, dockerfile: Dockerfile) -> None:
    """`docker run <image> spec`: the ENTRYPOINT in WORKDIR prints one valid SPEC with the seven fields."""
    run = subprocess.run(
        [*image.entrypoint(dockerfile), "spec"],
        cwd=image.workdir,
        env=image.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    properties = spec_properties(run.stdout)
    ordered = sorted(properties.values(), key=lambda p: p.get("order", 1_000))
    assert [p["title"] for p in ordered[:7]] == SPEC_TITLES


@pytest.mark.timeout(900)
def test_installed_package(image: Image) -> None:
    """What pip built: spec.json is package data, the code comes from the venv, no test dependencies."""
    probe = (
        "import importlib.resources, importlib.util, json, source_skoot_athena, airbyte_cdk\n"
        "spec = importlib.resources.files('source_skoot_athena').joinpath('spec.json')\n"
        "print(json.dumps({'spec_json': str(spec), 'is_file': spec.is_file(),\n"
        "  'package': source_skoot_athena.__file__, 'cdk': airbyte_cdk.__file__,\n"
        f"  'test_only': [m for m in {TEST_ONLY_MODULES!r} if importlib.util.find_spec(m)]}}))\n"
    )
    elsewhere = image.root / "home"
    elsewhere.mkdir(exist_ok=True)
    # -I: neither the current directory nor PYTHON* variables on the path: only the venv's site-packages.
    run = subprocess.run(
        [str(image.python), "-I", "-c", probe], cwd=elsewhere, env=image.env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    site = str(image.venv)
    assert found["is_file"] and found["spec_json"].startswith(site), found
    assert found["package"].startswith(site) and found["cdk"].startswith(site), found
    assert found["test_only"] == [], f"test-only packages in the image: {found['test_only']}"
    # The console script of the installed package, away from the copied sources.
    script = subprocess.run(
        [str(image.venv / "bin" / "source-skoot-athena"), "spec"],
        cwd=elsewhere,
        env=image.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 0, script.stderr[-3000:]
    assert [p["title"] for p in sorted(spec_properties(script.stdout).values(), key=lambda p: p["order"])][:7] == (
        SPEC_TITLES
    )


def test_an_unreachable_index_is_reported_with_its_reason() -> None:
    """The probe behind the skips: a dead index gives a reason naming the probe, not a pass."""
    code = "from integration_tests.package_index import unreachable_reason; print(unreachable_reason())"
    env = {**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": ""}
    probe = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith("the package index"), probe.stdout
    assert PROBE_REQUIREMENT in probe.stdout
