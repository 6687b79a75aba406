"""A read's start-up overlap (read/startup.py) on the local stand-in: what happens before the first query and in
which order, and that a workgroup problem still fails the read with `check`'s message before anything else.

Order, not time: every AWS call of the read's clients is logged as it begins and ends (botocore's before-call /
after-call events), so the assertions hold however the threads are scheduled.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integration_tests.connector import (
    DEMO_CONFIG,
    assert_no_traceback,
    configured_catalog,
    connector_env,
    discover_catalog,
    run_connector,
)
from local_athena import LocalAthena
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.config import parse_config
from source_skoot_athena.configured_catalog import read_catalog_file
from source_skoot_athena.gc_pause import STARTUP
from source_skoot_athena.read.catalog_read import CatalogRead


class CallLog:
    """("begin" | "end", "Operation") for every call, in the order botocore's events fired, and whether the cyclic
    garbage collector was on when each call began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.gc_on_at_begin: list[tuple[str, bool]] = []

    def listen(self, client: Any) -> None:
        client.meta.events.register("before-call", self._begin)
        client.meta.events.register("after-call", self._end)

    def _begin(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.events.append(("begin", model.name))
            self.gc_on_at_begin.append((model.name, gc.isenabled()))

    def _end(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.events.append(("end", model.name))

    def first(self, edge: str, operation: str) -> int:
        return self.events.index((edge, operation))


@pytest.fixture
def aws_env(athena: LocalAthena, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's environment as a connector run's: only the stand-in's AWS_* variables."""
    sanitised = connector_env(athena.env())
    for name in [n for n in os.environ if n.startswith("AWS_") and n not in sanitised]:
        monkeypatch.delenv(name)
    for name, value in athena.env().items():
        monkeypatch.setenv(name, value)
    yield


def read_in_process(athena: LocalAthena, tmp_path: Path, streams: list[str]) -> tuple[CallLog, list[dict[str, Any]]]:
    """A read as read_command runs it (GC paused as the entrypoint pauses it), with every client's calls logged."""
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(configured_catalog(discover_catalog(athena), streams=streams)))
    config = parse_config(dict(DEMO_CONFIG))
    clients, log = AwsClients(config), CallLog()
    # Made up front here, so the log hears all of them (StartQueryExecution goes by athena_starts).
    for client in (clients.athena, clients.athena_starts, clients.glue, clients.s3):
        log.listen(client)
    STARTUP.pause()
    try:
        read = CatalogRead(config, clients, logging.getLogger("test_read_startup"))
        messages = [m for m in read.run(read_catalog_file(str(path)), {}) if isinstance(m, dict)]
    finally:
        STARTUP.resume()
    return log, messages


def test_workgroup_and_table_are_read_before_the_first_query_and_the_listing_after_the_workgroup(
    athena: LocalAthena, aws_env: None, tmp_path: Path
) -> None:
    """GetWorkGroup and GetTable both happen before the first StartQueryExecution; the planning's S3 listing starts
    only once GetWorkGroup has answered (the workgroup decides RequestPayer / ExpectedBucketOwner on S3 calls)."""
    log, messages = read_in_process(athena, tmp_path, ["ratings"])
    start = log.first("begin", "StartQueryExecution")
    assert log.first("end", "GetWorkGroup") < start and log.first("end", "GetTable") < start
    assert log.first("end", "GetWorkGroup") < log.first("begin", "ListObjectsV2") < start
    assert [m["trace"]["stream_status"]["status"] for m in messages if m["type"] == "TRACE"][-1] == "COMPLETE"


def test_the_first_query_is_started_over_the_connection_that_getworkgroup_opened(
    athena: LocalAthena, aws_env: None, tmp_path: Path
) -> None:
    """On AWS every new connection is a TCP and TLS handshake: GetWorkGroup (beside the planning) opens the one the
    first StartQueryExecution is sent over, so nothing waits on a handshake just before the first query."""
    athena.reset_observations()
    read_in_process(athena, tmp_path, ["ratings"])
    ports = athena.call_connections
    workgroup = next(port for op, port in ports if op == "athena:GetWorkGroup")
    first_start = next(port for op, port in ports if op == "athena:StartQueryExecution")
    assert first_start == workgroup


def test_the_results_buckets_region_is_asked_once_after_the_first_query_starts(
    athena: LocalAthena, aws_env: None, tmp_path: Path
) -> None:
    """GetBucketLocation is asked once the first query is submitted (its thread starts on the after-call event, so
    it may begin before this log hears that event end), once, and before any result is fetched."""
    log, _ = read_in_process(athena, tmp_path, ["ratings"])
    asked = log.first("begin", "GetBucketLocation")
    assert log.first("begin", "StartQueryExecution") < asked
    assert log.first("end", "GetBucketLocation") < log.first("begin", "GetObject")
    assert [op for edge, op in log.events if edge == "begin"].count("GetBucketLocation") == 1


def test_the_garbage_collector_is_paused_until_athena_has_the_first_query(
    athena: LocalAthena, aws_env: None, tmp_path: Path
) -> None:
    log, _ = read_in_process(athena, tmp_path, ["ratings"])
    calls = log.gc_on_at_begin
    first_start = next(i for i, (op, _) in enumerate(calls) if op == "StartQueryExecution")
    assert not any(on for _, on in calls[: first_start + 1]), calls  # paused through the first submission
    assert all(on for op, on in calls[first_start + 1 :] if op == "GetQueryExecution"), calls
    assert gc.isenabled()


def workgroup_error(run: Any) -> str:
    """The read's one error message; the run wrote no stream status and no traceback."""
    assert run.returncode == 1
    assert_no_traceback(run.stdout, run.stderr)
    assert not [m for m in run.messages if m["type"] == "TRACE" and "stream_status" in m["trace"]]
    (error,) = run.errors
    return str(error["message"])


@pytest.mark.parametrize(
    ("workgroup", "expected"),
    [
        ("no-such-workgroup", "athena:GetWorkGroup: the workgroup 'no-such-workgroup' does not exist in ap-south-1"),
        ("skoot-disabled", "The Athena workgroup 'skoot-disabled' is DISABLED: enable it"),
    ],
)
def test_a_workgroup_problem_fails_the_read_first_with_checks_message(
    athena_sandbox: LocalAthena, workgroup: str, expected: str
) -> None:
    """Even with the first stream's GetTable failing at the same time (its table is gone), the read ends with the
    workgroup's error alone, as `check` words it, and no query is started."""
    athena_sandbox.create_workgroup("skoot-disabled", output_location="s3://skoot-athena-results/d/", state="DISABLED")
    catalog = configured_catalog(discover_catalog(athena_sandbox), streams=["ratings"])
    catalog["streams"][0]["stream"]["name"] = "no_such_table"
    config = {**DEMO_CONFIG, "workgroup": workgroup}
    read = run_connector("read", athena_sandbox.env(), config=config, catalog=catalog)
    check = run_connector("check", athena_sandbox.env(), config=config).connection_status
    assert expected in workgroup_error(read)
    assert check["status"] == "FAILED" and workgroup_error(read) == check["message"]
    assert not athena_sandbox.queries
