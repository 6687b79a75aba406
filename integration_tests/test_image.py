"""The connector's Docker image, built from the project's Dockerfile and run for real (issue #16).

A dockerd of the session's own (loopback-only networking) builds the Dockerfile on a local stand-in for
airbyte/python-connector-base (BASE_IMAGE is the only change); each verb then runs in the container as Airbyte runs
it (the image's non-root user, config/catalog/state mounted read-only under /secrets) against the local Athena
stand-in over host loopback, and its output is compared with the venv's run of the same verb. Needs root, dockerd
and debootstrap (`make test-image` installs them): marker `image_tests`, deselected by `make test`.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from image.base_standin import UID, USER, VENV
from image.connector_image import BuiltImage
from image.container import ContainerRun, docker_run_args, mounted_files, run_verb
from image.daemon import Docker, LocalDockerd
from integration_tests.connector import DEMO_CONFIG, Run, run_connector
from integration_tests.protocol import SPEC_TITLES, assert_valid_protocol
from local_athena import LocalAthena

pytestmark = [pytest.mark.image_tests, pytest.mark.timeout(1800)]

HERE = Path(__file__).resolve().parent
DEMO_STREAMS = {("entertainment", "movies"), ("entertainment", "ratings"), ("entertainment", "catalog_items")}


def load(name: str) -> Any:
    return json.loads((HERE / name).read_text())


def incremental_catalog() -> dict[str, Any]:
    """configured_catalog.json with ratings (rated_at) and movies (release_date) incremental, as sample_state.json."""
    catalog = copy.deepcopy(load("configured_catalog.json"))
    cursors = {"ratings": "rated_at", "movies": "release_date"}
    for configured in catalog["streams"]:
        name = configured["stream"]["name"]
        if name in cursors:
            configured.update(sync_mode="incremental", destination_sync_mode="append", cursor_field=[cursors[name]])
    return catalog


def parsed(run: ContainerRun) -> Run:
    """The container's stdout checked line by line against the Airbyte protocol, as a Run of the venv helper."""
    assert_valid_protocol(run.stdout)
    messages = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return Run(run.returncode, run.stdout, run.stderr, messages)


@pytest.fixture
def in_image(
    docker_daemon: Docker,
    connector_image: BuiltImage,
    athena: LocalAthena,
    image_times: dict[str, float],
) -> Any:
    """Run a verb in the built image against the stand-in; its wall time is recorded under `label`."""

    def run(verb: str, label: str, **files: Any) -> Run:
        done = run_verb(docker_daemon, connector_image.tag, verb, athena.env(), **files)
        image_times[f"{label} (image)"] = done.seconds
        assert done.returncode == 0, done.stderr[-3000:]
        return parsed(done)

    return run


@pytest.fixture
def in_venv(athena: LocalAthena, image_times: dict[str, float]) -> Any:
    """The same verb from the project's venv (the reference the image's output must equal)."""

    def run(verb: str, label: str, **files: Any) -> Run:
        started = time.monotonic()
        done = run_connector(verb, athena.env(), **files)
        image_times[f"{label} (venv)"] = time.monotonic() - started
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    return run


def records(run: Run) -> list[tuple[str | None, str, str]]:
    """Every RECORD as (namespace, stream, data as canonical JSON), sorted: emitted_at is the only thing left out."""
    return sorted((r.get("namespace"), r["stream"], json.dumps(r["data"], sort_keys=True)) for r in run.records)


def stream_states(run: Run) -> list[dict[str, Any]]:
    return [s["stream"] for s in run.states if s.get("type") == "STREAM"]


# --- the daemon ------------------------------------------------------------------------------------------


def test_daemon_networks_are_host_and_none_only(docker_daemon: Docker) -> None:
    """No bridge network (so no private-range address for any container); host networking is all there is."""
    names = docker_daemon.run("network", "ls", "--format", "{{.Name}}").stdout.split()
    assert sorted(names) == ["host", "none"]


def test_daemon_stops_by_its_pid_and_leaves_nothing(docker_daemon: Docker) -> None:
    """A second daemon beside the session's: its own socket; stopped, its process, mounts and dir are gone."""
    daemon = LocalDockerd()
    try:
        other = daemon.start()
        assert other.host != docker_daemon.host and other.ready()
        pid = daemon.pid
        assert pid is not None and daemon.pidfile.read_text().strip() == str(pid)
    finally:
        daemon.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not daemon.root.exists()
    assert str(daemon.root) not in Path("/proc/self/mounts").read_text()
    assert docker_daemon.ready(), "the session's daemon is untouched"


# --- the base stand-in ---------------------------------------------------------------------------------------


def test_base_standin_offers_what_the_dockerfile_relies_on(docker_daemon: Docker, base_standin_image: str) -> None:
    """python (3.11) and pip on PATH, user airbyte uid 1000 for `USER airbyte`, /airbyte for the WORKDIR."""
    probe = "command -v python; python -V; command -v pip; pip --version; id -u airbyte; pwd; stat -c %U /airbyte"
    done = docker_daemon.run("run", "--rm", "--network", "host", base_standin_image, "sh", "-c", probe)
    python, version, pip, pip_version, uid, workdir, owner = done.stdout.split("\n")[:7]
    assert python == f"{VENV}/bin/python" and version.startswith("Python 3.11."), done.stdout
    assert pip == f"{VENV}/bin/pip" and "(python 3.11)" in pip_version, done.stdout
    assert (uid, workdir, owner) == (str(UID), "/airbyte", USER)


# --- the image ---------------------------------------------------------------------------------------------


def test_image_runs_as_its_non_root_user(
    docker_daemon: Docker, connector_image: BuiltImage, image_times: dict[str, float]
) -> None:
    """The Dockerfile's USER and ENTRYPOINT are the image's; a process in it runs as uid 1000, not root."""
    config = json.loads(docker_daemon.run("image", "inspect", connector_image.tag).stdout)[0]["Config"]
    assert config["User"] == USER
    assert config["Entrypoint"] == ["python", "/airbyte/integration_code/main.py"]
    assert config["WorkingDir"] == "/airbyte/integration_code"
    started = time.monotonic()
    done = docker_daemon.run("run", "--rm", "--network", "host", "--entrypoint", "id", connector_image.tag, "-u")
    image_times["container start and exit (id -u)"] = time.monotonic() - started  # what `docker run` itself adds
    assert done.stdout.strip() == str(UID)


def test_image_holds_no_test_dependencies(docker_daemon: Docker, connector_image: BuiltImage) -> None:
    """Only the runtime dependencies were installed (no `[tests]` extra), and spec.json is package data."""
    probe = (
        "import importlib.util, importlib.resources, json\n"
        "spec = importlib.resources.files('source_skoot_athena').joinpath('spec.json')\n"
        "print(json.dumps({'spec': spec.is_file(), 'test_only': [m for m in "
        "('moto', 'pytest', 'duckdb', 'hypothesis', 'sqlglot', 'mypy', 'ruff') if importlib.util.find_spec(m)]}))"
    )
    done = docker_daemon.run(
        "run", "--rm", "--network", "host", "--workdir", "/", "--entrypoint", "python", connector_image.tag, "-c", probe
    )
    assert json.loads(done.stdout) == {"spec": True, "test_only": []}


def test_the_entrypoints_modules_are_compiled_ahead(docker_daemon: Docker, connector_image: BuiltImage) -> None:
    """The entrypoint imports the package from the copied sources, which its user cannot write: their bytecode is
    in the image, fresh (Python uses a .pyc whose recorded source mtime and size match), so no run compiles them."""
    probe = (
        "import importlib.util, json, pathlib, sys\n"
        "sys.path.insert(0, '/airbyte/integration_code')\n"
        "import source_skoot_athena.read_command as m\n"
        "src = pathlib.Path(m.__file__)\n"
        "pyc = pathlib.Path(importlib.util.cache_from_source(str(src)))\n"
        "print(json.dumps({'source': str(src.parent), 'fresh': pyc.is_file() and pyc.read_bytes()[8:12] == "
        "int(src.stat().st_mtime).to_bytes(4, 'little')}))"
    )
    done = docker_daemon.run(
        "run", "--rm", "--network", "host", "--entrypoint", "python", connector_image.tag, "-c", probe
    )
    assert json.loads(done.stdout) == {"source": "/airbyte/integration_code/source_skoot_athena", "fresh": True}


def test_console_script_of_the_installed_package(docker_daemon: Docker, connector_image: BuiltImage) -> None:
    """`source-skoot-athena spec` away from the copied sources: the installed package and its entry point work."""
    done = docker_daemon.run(
        "run",
        "--rm",
        "--network",
        "host",
        "--workdir",
        "/",
        "--entrypoint",
        "source-skoot-athena",
        connector_image.tag,
        "spec",
    )
    (spec,) = [m for m in map(json.loads, done.stdout.splitlines()) if m["type"] == "SPEC"]
    assert_valid_protocol(done.stdout)
    properties = spec["spec"]["connectionSpecification"]["properties"]
    assert [p["title"] for p in sorted(properties.values(), key=lambda p: p.get("order", 1_000))][:7] == SPEC_TITLES


def test_spec(in_image: Any, in_venv: Any) -> None:
    image = in_image("spec", "spec")
    (spec,) = image.of_type("SPEC")
    properties = spec["spec"]["connectionSpecification"]["properties"]
    ordered = sorted(properties.values(), key=lambda p: p.get("order", 1_000))
    assert [p["title"] for p in ordered[:7]] == SPEC_TITLES
    assert image.of_type("SPEC") == in_venv("spec", "spec").of_type("SPEC")


def test_check_succeeds(in_image: Any, in_venv: Any) -> None:
    assert in_image("check", "check", config=DEMO_CONFIG).connection_status["status"] == "SUCCEEDED"
    assert in_venv("check", "check", config=DEMO_CONFIG).connection_status["status"] == "SUCCEEDED"


def test_check_failure_names_its_field(in_image: Any) -> None:
    status = in_image("check", "check (bad field)", config={**DEMO_CONFIG, "query_timeout_ms": 10}).connection_status
    assert status["status"] == "FAILED"
    assert "'Query Timeout (ms)' (query_timeout_ms)" in status["message"]


def test_discover_finds_the_demo_streams(in_image: Any, in_venv: Any) -> None:
    image = in_image("discover", "discover", config=DEMO_CONFIG)
    (catalog,) = image.of_type("CATALOG")
    streams = catalog["catalog"]["streams"]
    assert {(s["namespace"], s["name"]) for s in streams} >= DEMO_STREAMS
    assert image.of_type("CATALOG") == in_venv("discover", "discover", config=DEMO_CONFIG).of_type("CATALOG")


def test_full_refresh_reads_what_the_venv_reads(in_image: Any, in_venv: Any) -> None:
    catalog = load("configured_catalog.json")
    image = in_image("read", "read full refresh", config=DEMO_CONFIG, catalog=catalog)
    venv = in_venv("read", "read full refresh", config=DEMO_CONFIG, catalog=catalog)
    assert {(r["namespace"], r["stream"]) for r in image.records} == DEMO_STREAMS
    assert records(image) == records(venv)
    assert stream_states(image) == stream_states(venv)
    assert image.errors == []


def test_incremental_with_state_reads_what_the_venv_reads(in_image: Any, in_venv: Any) -> None:
    """`--state` mounted read-only with the catalog: the same rows from the saved cursors, the same new state."""
    files = {"config": DEMO_CONFIG, "catalog": incremental_catalog(), "state": load("sample_state.json")}
    image = in_image("read", "read incremental", **files)
    venv = in_venv("read", "read incremental", **files)
    assert records(image) == records(venv)
    assert stream_states(image) == stream_states(venv)
    saved = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"]["cursor"] for s in files["state"]}
    ratings = [json.loads(data) for ns, stream, data in records(image) if stream == "ratings"]
    assert ratings and all(row["rated_at"].replace("T", " ") >= saved["ratings"] for row in ratings)


@pytest.fixture
def running_read(
    docker_daemon: Docker,
    connector_image: BuiltImage,
    athena: LocalAthena,
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A `read` started in a named container whose movies query the stand-in holds RUNNING for 120 s."""
    athena.faults.delay_query("entertainment", 120)
    name = f"skoot-stop-{time.monotonic_ns()}"
    catalog = load("configured_catalog.json")
    with mounted_files({"config": DEMO_CONFIG, "catalog": catalog}) as (directory, file_args):
        argv = [docker_daemon.cli, *docker_run_args(connector_image.tag, "read", directory, athena.env(), name=name)]
        process = subprocess.Popen(
            [*argv, *file_args], env=docker_daemon.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            yield process, name
        finally:
            docker_daemon.run("rm", "--force", name, check=False)
            process.kill()
            process.wait(30)


def test_docker_stop_stops_the_running_query(
    docker_daemon: Docker,
    athena: LocalAthena,
    running_read: tuple[subprocess.Popen[str], str],
) -> None:
    """`docker stop` sends SIGTERM to the connector (PID 1 via the exec-form ENTRYPOINT): it stops its query."""
    process, name = running_read
    deadline = time.monotonic() + 120
    while not any(q.state == "RUNNING" for q in athena.queries):
        assert process.poll() is None and time.monotonic() < deadline, "the read never started a query"
        time.sleep(0.1)  # waiting for a condition (the query running), bounded by the deadline
    docker_daemon.run("stop", "--time", "30", name)
    process.wait(60)
    assert athena.calls["athena:StopQueryExecution"] >= 1
    assert {q.state for q in athena.queries} <= {"CANCELLED", "SUCCEEDED"}
    assert not any(q.state == "RUNNING" for q in athena.queries)
