"""One stream of one test database: its configured catalog from `discover`, a clean `read` of it, its queries.

Why: the slicing tests (file chunks, Iceberg/Delta ranges) read one stream at a time, again and again, and each
read must be clean (exit 0, no traceback, protocol-valid) before its records mean anything.
"""

from __future__ import annotations

from typing import Any

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, discover_catalog, run_connector
from local_athena import LocalAthena


def stream_catalog(athena: LocalAthena, database: str, table: str, cursor: str | None = None) -> dict[str, Any]:
    """The configured catalog of `table` alone: full refresh, or incremental on `cursor`."""
    return configured_catalog(
        discover_catalog(athena, [database]),
        streams=[table],
        sync_mode="incremental" if cursor else "full_refresh",
        cursor={table: cursor} if cursor else None,
    )


def clean_read(athena: LocalAthena, database: str, catalog: dict[str, Any], state: Any = None) -> Run:
    """`read` through the command line, asserted clean."""
    config = {**DEMO_CONFIG, "databases": [database]}
    run = run_connector("read", athena.env(), config=config, catalog=catalog, state=state)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    run.assert_clean()
    return run


def read_queries(athena: LocalAthena, table: str) -> list[Any]:
    """The queries that read `table`'s rows (not its cursor bound or metadata)."""
    return [q for q in athena.queries if f'"{table}"' in q.sql and "(read " in q.sql]
