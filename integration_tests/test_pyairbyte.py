"""PyAirbyte as an outside client: check, then every demo stream read into its default DuckDB cache, twice.

PyAirbyte runs in its own venv (``.venv-pyairbyte/`` at the repo root, built once from
``integration_tests/pyairbyte-requirements.txt`` and re-built when that file changes), as a user has it: its pins
(pyarrow<22, duckdb==1.4.3, pandas<3) would downgrade the connector's venv. It runs the connector's executable
from the project's venv (``local_executable``); the connector inherits the client's environment, so it talks to
the local Athena stand-in. ``integration_tests/pyairbyte_client.py`` is the client; it writes what the cache
holds as JSON, and this test compares that with the demo's source rows. Building the venv needs the package index:
without it (probed once per session) the tests are skipped with the reason; a venv already built needs no index.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import fcntl
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integration_tests.connector import DEMO_CONFIG, EXECUTABLE, PROJECT_ROOT, connector_env
from integration_tests.package_index import PROBE_REQUIREMENT, skip_unless_reachable
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows

REQUIREMENTS = Path(__file__).with_name("pyairbyte-requirements.txt")
CLIENT = Path(__file__).with_name("pyairbyte_client.py")
VENV = PROJECT_ROOT / ".venv-pyairbyte"
STAMP = VENV / ".requirements-sha256"
LOCK = PROJECT_ROOT / ".venv-pyairbyte.lock"
# venv's own pip (23.2 with Python 3.11.7) resolves the pinned set in ~150 s here, pip 26.3 in ~45 s.
PIP = "pip==26.3"

# The cursors PyAirbyte is told about where discover names none, and primary keys so that it merges.
CURSORS = {"movies": "release_date", "ratings": "rated_at", "catalog_items": "item_id"}
PARTITION_KEY_CURSORS = {"movies"}  # local_athena/demo_lake.py: movies is partitioned by release_date
SORT_KEYS = {"movies": ["id"], "ratings": ["rated_at"], "catalog_items": ["item_id"]}

pytestmark = [pytest.mark.pyairbyte, pytest.mark.timeout(900)]


def _wanted_stamp() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    return f"{digest} python{sys.version_info.major}.{sys.version_info.minor}"


def ensure_venv() -> Path:
    """PyAirbyte's venv, (re)built if missing or made from another requirements file; its python."""
    python = VENV / "bin" / "python"
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel sessions build it once
        if STAMP.exists() and STAMP.read_text() == _wanted_stamp() and python.exists():
            return python
        skip_unless_reachable(f"building {VENV.name}")
        shutil.rmtree(VENV, ignore_errors=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        install = subprocess.run([*pip, PIP], capture_output=True, text=True, timeout=300)
        if install.returncode == 0:
            install = subprocess.run([*pip, "-r", str(REQUIREMENTS)], capture_output=True, text=True, timeout=840)
        if install.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            pytest.fail(
                f"pip install of {REQUIREMENTS.name} failed:\n{install.stdout[-3000:]}\n{install.stderr[-3000:]}"
            )
        STAMP.write_text(_wanted_stamp())
        print(f"built {VENV.name} in {time.monotonic() - started:.1f}s")
        return python


@pytest.fixture(scope="module")
def pyairbyte_python() -> Iterator[Path]:
    yield ensure_venv()


@pytest.fixture(scope="module")
def client_output(pyairbyte_python: Path, local_athena: LocalAthena, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run the client once (it reads twice); its JSON output."""
    local_athena.faults.clear()
    work = tmp_path_factory.mktemp("pyairbyte")
    config = work / "config.json"
    config.write_text(json.dumps(DEMO_CONFIG))
    output = work / "output.json"
    env = {
        **connector_env(local_athena.env()),  # the client's env is the connector's: no AWS_* of this shell
        "AIRBYTE_OFFLINE_MODE": "1",
        "DO_NOT_TRACK": "1",
        "AIRBYTE_LOGGING_ROOT": str(work / "logs"),
        "AIRBYTE_CACHE_ROOT": str(work / ".cache"),
    }
    for leaked in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):  # the client must not see the project's venv
        env.pop(leaked, None)
    run = subprocess.run(
        [str(pyairbyte_python), str(CLIENT), EXECUTABLE, str(config), str(output)],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"PyAirbyte client failed:\n{run.stdout[-4000:]}\n{run.stderr[-6000:]}"
    result = json.loads(output.read_text())
    result["stderr"] = run.stderr
    # Lines PyAirbyte could not parse as protocol messages go to its log as text: a RECORD line among them is a
    # record it dropped, the first thing to look at when a count falls short.
    logs = [f for f in (work / "logs").rglob("*") if f.is_file()]
    result["unparsed_records"] = [
        line[:600] for f in logs for line in f.read_text(errors="replace").splitlines() if '"RECORD"' in line
    ]
    return result


def _number(value: Any) -> float | None:
    if isinstance(value, dict) and set(value) == {"$decimal"}:
        return float(decimal.Decimal(value["$decimal"]))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def differences(got: Any, want: Any, path: str) -> list[str]:
    """Where a cached value differs from the source value (PyAirbyte keeps numbers as DECIMAL(38, 9))."""
    if want is None or isinstance(want, bool | str) or (isinstance(want, int) and not isinstance(want, bool)):
        return [] if got == want and type(got) is type(want) else [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, float | decimal.Decimal):
        number = _number(got)
        ok = number is not None and math.isclose(number, float(want), rel_tol=1e-12, abs_tol=1e-9)
        return [] if ok else [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, dt.datetime):
        ok = isinstance(got, dict) and dt.datetime.fromisoformat(got.get("$timestamp", "")) == want
        return [] if ok else [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, dt.date):
        return [] if got == {"$date": want.isoformat()} else [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, bytes):  # binary: base64 text in the record, a string column in the cache
        return [] if got == base64.b64encode(want).decode() else [f"{path}: {got!r} != {want!r}"]
    if isinstance(want, list) and want and all(isinstance(x, tuple) for x in want):  # an Arrow map
        want = dict(want)
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return [f"{path}: keys {sorted(got) if isinstance(got, dict) else got!r} != {sorted(want)}"]
        return [d for k in want for d in differences(got[k], want[k], f"{path}.{k}")]
    if isinstance(want, list):
        if want == [] and got in ([], {}):  # an empty map and an empty list are the same JSON to PyAirbyte
            return []
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: {got!r} != {want!r}"]
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in differences(g, w, f"{path}[{i}]")]
    raise AssertionError(f"{path}: no comparison for {type(want).__name__}")


def _key_text(value: Any) -> str:
    """A key value as text, whether from the cache (`{"$timestamp": …}`) or the source (a datetime)."""
    return value.isoformat() if isinstance(value, dt.datetime) else str(_sort_value(value))


def _sort_value(value: Any) -> Any:
    return value.get("$timestamp") if isinstance(value, dict) else value


def assert_rows_equal(
    stream: str, got: list[dict[str, Any]], want: list[dict[str, Any]], unparsed: list[str] | None = None
) -> None:
    keys = SORT_KEYS[stream]
    got = sorted(got, key=lambda r: [_sort_value(r[k]) for k in keys])
    want = sorted(want, key=lambda r: [r[k].isoformat() if isinstance(r[k], dt.datetime) else r[k] for k in keys])
    missing = sorted({_key_text(w[keys[0]]) for w in want} - {_key_text(g[keys[0]]) for g in got})
    assert len(got) == len(want), (
        f"{stream}: {len(got)} rows in the cache, {len(want)} in the source; missing {keys[0]} {missing[:5]}; "
        f"RECORD lines PyAirbyte could not parse: {(unparsed or [])[:3]}"
    )
    diffs = [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in differences(g, w, f"{stream}[{i}]")]
    assert not diffs, f"{len(diffs)} differences, first: {diffs[:10]}"


def test_check_and_streams(client_output: Any) -> None:
    assert client_output["check"] == "ok"
    assert client_output["streams"] == sorted(CURSORS)
    assert client_output["cache"] == "DuckDBCache"


@pytest.mark.parametrize("stream", sorted(CURSORS))
def test_first_read_cache_equals_source(client_output: Any, stream: str) -> None:
    assert_rows_equal(
        stream, client_output["first"]["rows"][stream], expected_rows(stream), client_output["unparsed_records"]
    )


def test_first_read_record_count(client_output: Any) -> None:
    assert client_output["first"]["records"] == sum(len(expected_rows(s)) for s in CURSORS), client_output[
        "unparsed_records"
    ][:3]


@pytest.mark.parametrize("stream", sorted(CURSORS))
def test_second_read_from_saved_state_changes_nothing(client_output: Any, stream: str) -> None:
    """The second read starts from the state PyAirbyte saved: with primary keys it merges, the cache is unchanged."""
    assert_rows_equal(
        stream, client_output["second"]["rows"][stream], expected_rows(stream), client_output["unparsed_records"]
    )


def test_second_read_only_rereads_the_cursor_boundary(client_output: Any) -> None:
    """Incremental from PyAirbyte's saved state: only the rows at each data cursor's last value come again; a
    partition-key cursor (movies' release_date) reads only files not read before, so none of its rows."""
    at_boundary = 0
    for stream, cursor in CURSORS.items():
        if stream in PARTITION_KEY_CURSORS:
            continue
        rows = expected_rows(stream)
        last = max(r[cursor] for r in rows)
        at_boundary += sum(r[cursor] == last for r in rows)
    assert client_output["second"]["records"] == at_boundary


def test_streams_without_default_cursor_fail_clearly_under_default_incremental(client_output: Any) -> None:
    """PyAirbyte reads everything incrementally by default; ratings and catalog_items have no default cursor:
    the connector syncs movies and names the two streams and the fix, as a config error (no traceback)."""
    attempt = client_output["no_cursor_keys"]
    assert attempt["error"] == "AirbyteConnectorFailedError"
    log = attempt["log"]
    for stream in ("ratings", "catalog_items"):
        assert f"Stream entertainment.{stream} is incremental but has no cursor field: pick a cursor column" in log
    assert '"failure_type":"config_error"' in log
    assert "Traceback (most recent call last)" not in log


def test_an_unreachable_index_is_reported_with_its_reason() -> None:
    """The probe behind the skips: a dead index gives a reason naming the probe, not a pass."""
    code = "from integration_tests.package_index import unreachable_reason; print(unreachable_reason())"
    env = {**os.environ, "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": ""}
    probe = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith("the package index"), probe.stdout
    assert PROBE_REQUIREMENT in probe.stdout
