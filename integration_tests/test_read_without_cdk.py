"""The `read` verb runs without airbyte_cdk (issue 17: its import delayed the first query by 1–2 s) and still masks
every secret, on the local Athena stand-in.

Behaviour, not time: `python -X importtime` lists every module a process imports on stderr, so a read that
imported any `airbyte_cdk` module would show it there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from integration_tests.connector import (
    PROJECT_ROOT,
    assert_no_traceback,
    configured_catalog,
    connector_env,
    demo_read_catalog,
    discover_catalog,
    run_connector,
)
from integration_tests.protocol import message_dicts
from local_athena import LocalAthena

HERE = Path(__file__).resolve().parent
SECRET = "SKOOTSECRET-lean-read-2468"


def config(**changes: Any) -> dict[str, Any]:
    return {**json.loads((HERE / "sample_config.json").read_text()), **changes}


def imported_modules(verb: str, athena: LocalAthena, tmp_path: Path, **files: Any) -> tuple[set[str], list[Any]]:
    """Run `python -X importtime main.py <verb> …`: the top-level packages it imported, and its stdout messages."""
    args = [sys.executable, "-X", "importtime", str(PROJECT_ROOT / "main.py"), verb]
    for name, content in files.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(content))
        args += [f"--{name}", str(path)]
    done = subprocess.run(args, env=connector_env(athena.env()), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    modules = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    return modules, message_dicts(done.stdout)


def test_read_never_imports_airbyte_cdk(athena: LocalAthena, tmp_path: Path) -> None:
    catalog = demo_read_catalog(discover_catalog(athena))
    modules, messages = imported_modules("read", athena, tmp_path, config=config(), catalog=catalog)
    assert "source_skoot_athena" in modules and "pyarrow" in modules  # importtime saw the whole read
    assert "airbyte_cdk" not in modules
    assert sum(m["type"] == "RECORD" for m in messages) > 0
    statuses = [m["trace"]["stream_status"] for m in messages if m["type"] == "TRACE" and "stream_status" in m["trace"]]
    assert [s["status"] for s in statuses].count("COMPLETE") == len(catalog["streams"])


def test_spec_still_runs_through_the_cdk(athena: LocalAthena, tmp_path: Path) -> None:
    """The other verbs keep the CDK's entrypoint (and this test's probe does see the CDK when it is imported)."""
    modules, messages = imported_modules("spec", athena, tmp_path)
    assert "airbyte_cdk" in modules
    assert [m["type"] for m in messages if m["type"] != "LOG"] == ["SPEC"]


@pytest.mark.parametrize("where", ["workgroup", "stream"])
def test_a_secret_in_a_read_error_never_reaches_stdout_or_stderr(athena: LocalAthena, where: str) -> None:
    """The secret as the workgroup's name (the read's last word names it), or as an incremental stream's cursor
    column (that stream's own error trace names it, then the last word)."""
    catalog = configured_catalog(discover_catalog(athena), streams=["movies"])
    changes = {"secret_access_key": SECRET}
    if where == "workgroup":
        changes["workgroup"] = SECRET
    else:
        catalog["streams"][0].update(sync_mode="incremental", destination_sync_mode="append", cursor_field=[SECRET])
    run = run_connector("read", athena.env(), config=config(**changes), catalog=catalog)
    assert run.returncode == 1
    assert SECRET not in run.stdout and SECRET not in run.stderr
    assert_no_traceback(run.stdout, run.stderr)
    errors = [m["trace"]["error"] for m in run.messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert errors and all("****" in e["message"] for e in errors), errors
    if where == "stream":
        assert errors[0]["stream_descriptor"]["name"] == "movies" and "cursor column '****'" in errors[0]["message"]


QUERY_SIDE = """
import sys
import source_skoot_athena.read_command, source_skoot_athena.stream, source_skoot_athena.read.slice_query
print(sorted(m for m in ("pyarrow", "numpy", "source_skoot_athena.encoding") if m in sys.modules))
from source_skoot_athena.read.result_path import ResultPath
ResultPath().ready()
import pyarrow
print(sorted(m for m in ("pyarrow", "numpy", "source_skoot_athena.encoding") if m in sys.modules))
print(pyarrow.default_memory_pool().backend_name)
"""


def test_planning_and_submitting_a_query_need_no_pyarrow() -> None:
    """pyarrow (≈0.3 s of imports) loads while the first query runs (read/result_path.py), not before it starts;
    once loaded, it uses the system allocator (memory.py)."""
    done = subprocess.run([sys.executable, "-c", QUERY_SIDE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after, pool = done.stdout.splitlines()
    assert before == "[]"
    assert after == "['numpy', 'pyarrow', 'source_skoot_athena.encoding']"
    assert pool == "system"
