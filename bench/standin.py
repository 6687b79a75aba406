"""The local Athena stand-in as the benchmark uses it: tables, connector config and catalogs, subprocess env."""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from integration_tests.connector import connector_env
from local_athena import LocalAthena

DATABASE = "bench"
REGION = "ap-south-1"
WORKGROUP = "skoot"
RESULTS = "s3://skoot-athena-results/"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "x"


def precompile(package: Path) -> None:
    """Bytecode for every module of a connector tree, as an installed package (pip) and the image have it: the
    measured runs (PYTHONDONTWRITEBYTECODE, below) would otherwise compile the checkout's modules on every start
    (≈ 30–50 ms of start-up that no user pays)."""
    if not compileall.compile_dir(str(package), quiet=1):
        raise RuntimeError(f"could not compile {package}")


def start() -> LocalAthena:
    """A started stand-in with the demo workgroups (``skoot`` enforces s3://skoot-athena-results/); this tree's
    connector precompiled."""
    import source_skoot_athena

    precompile(Path(source_skoot_athena.__file__).parent)
    athena = LocalAthena().start()
    athena.load_demo()
    return athena


def child_env(athena: LocalAthena) -> dict[str, str]:
    """Environment for every measured subprocess: the stand-in's endpoint and the dummy credentials."""
    env = connector_env(athena.env())
    env.update(
        {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def connector_config(databases: list[str] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "connection_name": "bench",
        "aws_region": REGION,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "workgroup": WORKGROUP,
        "catalog": "AwsDataCatalog",
        "query_timeout_ms": 600000,
    }
    if databases:
        config["databases"] = databases
    return config


def connector_argv(*args: str) -> list[str]:
    """``source-skoot-athena ARGS`` from the project's venv (the console script next to this interpreter)."""
    script = Path(sys.executable).parent / "source-skoot-athena"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from source_skoot_athena.run import run; run()", *args]


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc))
    return path


def discover(athena: LocalAthena, config_path: Path) -> dict[str, Any]:
    """The CATALOG message's catalog of ``discover``."""
    out = subprocess.run(
        connector_argv("discover", "--config", str(config_path)),
        env=child_env(athena),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    for line in out.splitlines():
        if line.startswith("{") and '"CATALOG"' in line:
            catalog: dict[str, Any] = json.loads(line)["catalog"]
            return catalog
    raise RuntimeError(f"discover printed no CATALOG: {out[-2000:]}")


def configured_catalog(catalog: dict[str, Any], tables: list[str], *, cursor: str | None = None) -> dict[str, Any]:
    """Configure the named streams: full_refresh/overwrite, or incremental/append on ``cursor``."""
    streams = []
    by_name = {s["name"]: s for s in catalog["streams"]}
    for name in tables:
        stream = by_name[name]
        configured: dict[str, Any] = {
            "stream": stream,
            "sync_mode": "incremental" if cursor else "full_refresh",
            "destination_sync_mode": "append" if cursor else "overwrite",
        }
        if cursor:
            configured["cursor_field"] = [cursor]
        streams.append(configured)
    return {"streams": streams}


def put(athena: LocalAthena, table: str, data: pa.Table, **kwargs: Any) -> None:
    athena.put_table(DATABASE, table, data, **kwargs)
