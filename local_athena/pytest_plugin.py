"""pytest fixtures: ``local_athena`` (one server per session, demo loaded) and ``athena`` (clean per test).

Why: starting moto once per session keeps the suite fast; per-test resets keep faults and observations from
leaking between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import LocalAthena


@pytest.fixture(scope="session")
def local_athena() -> Iterator[LocalAthena]:
    """A started LocalAthena with the demo data, stopped at the end of the session."""
    athena = LocalAthena().start()
    try:
        athena.load_demo()
        yield athena
    finally:
        athena.stop()


@pytest.fixture
def athena(local_athena: LocalAthena) -> Iterator[LocalAthena]:
    """The session's LocalAthena with faults cleared, no active-query quota and observations reset before the
    test."""
    local_athena.faults.clear()
    local_athena.max_active_queries = None
    local_athena.reset_observations()
    yield local_athena
    local_athena.faults.clear()
    local_athena.max_active_queries = None


@pytest.fixture
def athena_sandbox(athena: LocalAthena) -> Iterator[LocalAthena]:
    """Like ``athena``, and Glue databases / workgroups the test creates are removed afterwards."""
    with athena.sandbox():
        yield athena


@pytest.fixture
def iam_athena(athena: LocalAthena) -> Iterator[LocalAthena]:
    """Like ``athena``, for tests that enforce IAM (``with iam_athena.iam.enforce(policy) as keys``): enforcement is
    always off again afterwards, so the other tests keep running without auth."""
    try:
        yield athena
    finally:
        athena.iam.off()
