"""Connector runs for the README-claim tests: one database per test, discover it, read it, check the outcome.

Why: the claim modules (test_incremental_semantics, test_read_paths, test_values, test_iam_scope_b) each run the
command line many times the same way; one small helper module keeps them to the behaviour they assert.
"""

from __future__ import annotations

from typing import Any

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from local_athena import LocalAthena

TRACEBACK = "Traceback (most recent call last)"


def config_for(*databases: str, **extra: Any) -> dict[str, Any]:
    """The demo config limited to ``databases`` (Glue Databases), with any other field changed."""
    return {**DEMO_CONFIG, "databases": list(databases), **extra}


def discover(athena: LocalAthena, *databases: str) -> dict[str, Any]:
    """The discovered catalog of ``databases``."""
    run = run_connector("discover", athena.env(), config=config_for(*databases))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (message,) = run.of_type("CATALOG")
    catalog: dict[str, Any] = message["catalog"]
    return catalog


def read(athena: LocalAthena, catalog: dict[str, Any], *databases: str, state: Any = None, **extra: Any) -> Run:
    """One ``read`` of ``catalog`` (config limited to ``databases``); no run may print a Python traceback."""
    run = run_connector("read", athena.env(), config=config_for(*databases, **extra), catalog=catalog, state=state)
    assert TRACEBACK not in run.stdout + run.stderr, run.stderr[-3000:]
    return run


def read_ok(athena: LocalAthena, catalog: dict[str, Any], *databases: str, state: Any = None, **extra: Any) -> Run:
    """A ``read`` that must succeed without an error trace."""
    run = read(athena, catalog, *databases, state=state, **extra)
    assert run.returncode == 0 and not run.errors, (run.errors, run.stderr[-3000:])
    return run


# The log line each read path announces, and the one of a fallback to the result CSV mid-sync.
PATH_LOG = {
    "parquet": "Read path: UNLOAD to Parquet",
    "csv": "Read path: result CSV (the workgroup runs Athena engine version 1",
    "api": "paging through GetQueryResults",
}
FALLBACK_LOG = "Read path: result CSV for the rest of this sync"


def table_for_every_path(
    athena: LocalAthena, database: str, name: str, table: Any, glue_types: dict[str, str], v1_workgroup: str
) -> dict[str, Any]:
    """Put ``table`` in Glue with ``glue_types`` and create the engine version 1 workgroup ``read_on_path`` uses;
    the configured catalog of ``database``."""
    athena.put_table(database, name, table, glue_types=glue_types)
    athena.create_workgroup(
        v1_workgroup,
        output_location=f"s3://skoot-athena-results/{v1_workgroup}/",
        engine_version="Athena engine version 1",
    )
    return configured_catalog(discover(athena, database))


def read_on_path(athena: LocalAthena, catalog: dict[str, Any], database: str, path: str, v1_workgroup: str) -> Run:
    """A ``read`` on one read path, as chosen: ``parquet`` (UNLOAD, the ``skoot`` workgroup), ``csv`` (an engine
    version 1 workgroup) or ``api`` (that workgroup with its result file denied: GetQueryResults). It must announce
    that path, never fall back, and have every query succeed (none refused and retried another way)."""
    if path == "api":
        athena.faults.error("s3:HeadObject", "AccessDenied", status=403, message="Access Denied")
    run = read_ok(athena, catalog, database, workgroup="skoot" if path == "parquet" else v1_workgroup)
    assert any(PATH_LOG[path] in log for log in run.logs), run.logs
    assert not any(FALLBACK_LOG in log for log in run.logs), run.logs
    assert all(q.state == "SUCCEEDED" for q in athena.queries), [(q.sql, q.error_type) for q in athena.queries]
    return run


def last_states(run: Run) -> list[dict[str, Any]]:
    """Per stream, its last STATE message: what Airbyte passes to the next sync."""
    last: dict[tuple[str | None, str], dict[str, Any]] = {}
    for state in run.states:
        descriptor = state["stream"]["stream_descriptor"]
        last[(descriptor.get("namespace"), descriptor["name"])] = state
    return list(last.values())


def stream_blob(run: Run, stream: str) -> dict[str, Any]:
    """The last state blob the run wrote for ``stream``."""
    blobs = [s["stream"]["stream_state"] for s in run.states if s["stream"]["stream_descriptor"]["name"] == stream]
    assert blobs, f"no STATE for {stream}"
    blob: dict[str, Any] = blobs[-1]
    return blob


def ids(run: Run, stream: str, namespace: str | None = None) -> list[Any]:
    """The ``id`` of every record of ``stream``, sorted."""
    return sorted(row["id"] for row in run.rows(stream, namespace))
