"""Run the connector's command line against a local Athena stand-in, as Airbyte would (a subprocess)."""

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

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXECUTABLE = str(Path(sys.executable).with_name("source-skoot-athena"))

DEMO_CONFIG: dict[str, Any] = {
    "connection_name": "Skoot demo",
    "aws_region": "ap-south-1",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "demo-secret-not-real",
    "workgroup": "skoot",
    "catalog": "AwsDataCatalog",
    "query_timeout_ms": 60000,
}


@dataclass
class Run:
    """One verb's outcome: exit code, parsed stdout messages, stderr."""

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
    """Start `source-skoot-athena <verb>` in the background (for signals and kills); stdout/stderr are pipes."""
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            _arguments(verb, tmp, files),
            env={**os.environ, **env},
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
    """Run `source-skoot-athena <verb>` with files for config/catalog/state; every stdout line must be JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        completed = subprocess.run(
            _arguments(verb, tmp, {"config": config, "catalog": catalog, "state": state}),
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp,
        )
    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    return Run(completed.returncode, completed.stdout, completed.stderr, messages)


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
