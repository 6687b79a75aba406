"""Run the connector's command line against a local Athena stand-in, as Airbyte would (a subprocess).

One helper per concern, so that every test gets the same guarantees:
- ``connector_env``: the one sanitised environment of every connector subprocess (no ``AWS_*`` of the caller's
  shell, only the stand-in's endpoint);
- ``run_connector`` / ``spawn_connector``: every stdout line of every run is protocol-validated
  (``protocol.message_dicts``: airbyte-protocol-models-pdv2 and strict JSON);
- ``assert_no_traceback``: what users see holds no Python traceback;
- ``discover_catalog`` / ``configured_catalog`` / ``demo_read_catalog`` / ``stream_state``: catalogs and states.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integration_tests.protocol import message_dicts
from local_athena import LocalAthena

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXECUTABLE = str(Path(sys.executable).with_name("source-skoot-athena"))
TRACEBACK = "Traceback (most recent call last)"

DEMO_CONFIG: dict[str, Any] = {
    "connection_name": "Skoot demo",
    "aws_region": "ap-south-1",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "demo-secret-not-real",
    "workgroup": "skoot",
    "catalog": "AwsDataCatalog",
    "query_timeout_ms": 60000,
}


def connector_env(env: Mapping[str, str], parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without any ``AWS_*`` variable, plus ``env`` (the stand-in's).

    Why every ``AWS_*``: botocore reads service-specific endpoints (``AWS_ENDPOINT_URL_ATHENA`` …) before
    ``AWS_ENDPOINT_URL``, ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` disables both, and ``AWS_PROFILE`` /
    ``AWS_CONFIG_FILE`` can carry endpoints and real keys: any of them would send a run to real AWS
    (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    """
    source = os.environ if parent is None else parent
    clean = {name: value for name, value in source.items() if not name.upper().startswith("AWS_")}
    return {**clean, **env}


def assert_no_traceback(*texts: str) -> None:
    """No Python traceback in what users see (stdout, stderr, a message)."""
    for text in texts:
        assert TRACEBACK not in text, f"a Python traceback was printed:\n{text[-3000:]}"


@dataclass
class Run:
    """One verb's outcome: exit code, stdout messages (each protocol-validated), stderr."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [m["record"] for m in self.of_type("RECORD")]

    def rows(self, stream: str, namespace: str | None = None) -> list[dict[str, Any]]:
        return [
            r["data"]
            for r in self.records
            if r["stream"] == stream and (namespace is None or r.get("namespace") == namespace)
        ]

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["state"] for m in self.of_type("STATE")]

    def stream_states(self, stream: str) -> list[dict[str, Any]]:
        """The STATE messages of one stream, in order, as written (the input format of the next sync)."""
        return [s for s in self.states if s["type"] == "STREAM" and s["stream"]["stream_descriptor"]["name"] == stream]

    @property
    def logs(self) -> list[str]:
        return [m["log"]["message"] for m in self.of_type("LOG")]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"]["type"] == "ERROR"]

    def statuses(self, stream: str) -> list[str]:
        return [
            m["trace"]["stream_status"]["status"]
            for m in self.of_type("TRACE")
            if m["trace"]["type"] == "STREAM_STATUS"
            and m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream
        ]

    @property
    def connection_status(self) -> dict[str, Any]:
        (status,) = [m["connectionStatus"] for m in self.of_type("CONNECTION_STATUS")]
        return status

    def assert_clean(self) -> None:
        """No traceback on stdout or stderr."""
        assert_no_traceback(self.stdout, self.stderr)


def _arguments(verb: str, tmp: str, files: Mapping[str, Any]) -> list[str]:
    """The command line of `verb`, each of config/catalog/state written to a file in `tmp` first."""
    args = [EXECUTABLE, verb]
    for name, content in files.items():
        if content is not None:
            path = Path(tmp) / f"{name}.json"
            path.write_text(content if isinstance(content, str) else json.dumps(content))
            args += [f"--{name}", str(path)]
    return args


@contextlib.contextmanager
def spawn_connector(
    verb: str, env: Mapping[str, str], *, text: bool = True, **files: Any
) -> Iterator[subprocess.Popen[Any]]:
    """Start `source-skoot-athena <verb>` in the background (for signals and kills); stdout/stderr are pipes.

    Read its output with ``stdout_reader.StdoutReader``, which drains the pipes and validates each line.
    """
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            _arguments(verb, tmp, files),
            env=connector_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=text,
            cwd=tmp,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def run_connector(
    verb: str,
    env: Mapping[str, str],
    *,
    config: Mapping[str, Any] | str | None = None,
    catalog: Mapping[str, Any] | str | None = None,
    state: Any = None,
    timeout: float = 300,
) -> Run:
    """Run `source-skoot-athena <verb>` with files for config/catalog/state; every stdout line must be a valid
    Airbyte message (ProtocolViolation otherwise), whatever the exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        completed = subprocess.run(
            _arguments(verb, tmp, {"config": config, "catalog": catalog, "state": state}),
            env=connector_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp,
        )
    messages = message_dicts(completed.stdout)
    return Run(completed.returncode, completed.stdout, completed.stderr, messages)


def run_discover(athena: LocalAthena, **config: Any) -> Run:
    """`discover` with DEMO_CONFIG plus `config`, which must print no traceback (whatever its outcome)."""
    run = run_connector("discover", athena.env(), config={**DEMO_CONFIG, **config})
    run.assert_clean()
    return run


def discover_catalog(athena: LocalAthena, databases: list[str] | None = None, **config: Any) -> dict[str, Any]:
    """The catalog `discover` reports for DEMO_CONFIG (Scope B with ``databases``), after a clean run."""
    run = run_discover(athena, **config, **({"databases": databases} if databases is not None else {}))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (message,) = run.of_type("CATALOG")
    catalog: dict[str, Any] = message["catalog"]
    return catalog


def configured_catalog(
    discovered: Mapping[str, Any],
    *,
    streams: list[str] | None = None,
    sync_mode: str = "full_refresh",
    cursor: Mapping[str, str] | None = None,
    columns: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A ConfiguredAirbyteCatalog from a discovered catalog: chosen streams, mode, cursors, selected columns."""
    configured = []
    for stream in discovered["streams"]:
        if streams is not None and stream["name"] not in streams:
            continue
        stream = json.loads(json.dumps(stream))
        if columns and stream["name"] in columns:
            keep = columns[stream["name"]]
            stream["json_schema"]["properties"] = {
                k: v for k, v in stream["json_schema"]["properties"].items() if k in keep
            }
        entry: dict[str, Any] = {
            "stream": stream,
            "sync_mode": sync_mode,
            "destination_sync_mode": "append" if sync_mode == "incremental" else "overwrite",
        }
        if cursor and stream["name"] in cursor:
            entry["cursor_field"] = [cursor[stream["name"]]]
        configured.append(entry)
    return {"streams": configured}


def demo_read_catalog(discovered: Mapping[str, Any]) -> dict[str, Any]:
    """The demo's three streams configured: movies and catalog_items full refresh, ratings incremental on
    rated_at (so a read exercises both modes)."""
    full = configured_catalog(discovered, streams=["movies", "catalog_items"])
    incremental = configured_catalog(
        discovered, streams=["ratings"], sync_mode="incremental", cursor={"ratings": "rated_at"}
    )
    return {"streams": full["streams"] + incremental["streams"]}


def stream_state(name: str, namespace: str | None, blob: Any) -> dict[str, Any]:
    """A per-stream STATE (AirbyteStateMessage of type STREAM), as Airbyte passes it back in --state."""
    descriptor = {"name": name, **({"namespace": namespace} if namespace is not None else {})}
    return {"type": "STREAM", "stream": {"stream_descriptor": descriptor, "stream_state": blob}}


def last_states(run: Run) -> list[dict[str, Any]]:
    """Per stream, its last STATE message: what Airbyte passes to the next sync."""
    last: dict[str, dict[str, Any]] = {}
    for state in run.states:
        last[state["stream"]["stream_descriptor"]["name"]] = state
    return list(last.values())
