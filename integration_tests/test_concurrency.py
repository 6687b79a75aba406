"""The connector's concurrency against the stand-in, through the command line.

Athena's "Active DML queries" quota (enforced by the stand-in as AWS does: `LocalAthena.max_active_queries`) refuses
a start over it with TooManyRequestsException, CONCURRENT_QUERY_LIMIT_EXCEEDED. With botocore's default attempts the
connector sees the first refusal (its starts client does not retry it, aws.py `athena_starts`), lowers its limit
once per congestion event and still delivers every row exactly once (README, Reliability). Without a quota, a sync
of many one-slice tables runs `max_concurrent_queries` queries at once: planning takes no query slot.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import botocore.exceptions
import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, configured_catalog, run_connector
from local_athena import LocalAthena
from local_athena.testing import most_at_once, query_spans
from source_skoot_athena.aws import AwsClients
from source_skoot_athena.config import parse_config
from source_skoot_athena.results import ranged_copy

DB = "many_small"
TABLES = [f"small_{i}" for i in range(8)]
ROWS = 5
LOWERED = re.compile(r"running at most (\d+) queries at once")


def config(**extra: Any) -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [DB], **extra}


@pytest.fixture(scope="module")
def discovered(local_athena: LocalAthena) -> dict[str, Any]:
    for number, table in enumerate(TABLES):
        ids = range(number * 100, number * 100 + ROWS)
        local_athena.put_table(DB, table, pa.table({"id": pa.array(ids, pa.int64())}))
    run = run_connector("discover", local_athena.env(), config=config())
    assert run.returncode == 0, run.stdout[-2000:]
    catalog: dict[str, Any] = run.of_type("CATALOG")[0]["catalog"]
    return catalog


def assert_every_row_once(rows: list[dict[str, Any]]) -> None:
    expected = [number * 100 + i for number in range(len(TABLES)) for i in range(ROWS)]
    assert sorted(Counter(row["id"] for row in rows).elements()) == expected
    assert len(rows) == len(expected)


def test_the_quota_lowers_the_limit_at_the_first_refusal_with_botocores_default_attempts(
    athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    athena.max_active_queries = 2
    delay = athena.faults.delay_query("UNLOAD", 1.5)  # every slice query stays RUNNING: the starts overlap
    athena.reset_observations()

    run = run_connector(
        "read", athena.env(), config=config(max_concurrent_queries=6), catalog=configured_catalog(discovered)
    )

    assert run.returncode == 0, run.errors
    assert_every_row_once([row for table in TABLES for row in run.rows(table)])
    lowered = [int(m.group(1)) for log in run.logs if (m := LOWERED.search(log))]
    assert lowered and all(limit <= 2 for limit in lowered), run.logs
    assert athena.refused_queries >= 1
    assert athena.calls["athena:StartQueryExecution"] == len(athena.queries) + athena.refused_queries
    assert all(q.state == "SUCCEEDED" for q in athena.queries)
    assert delay.fired == len(TABLES) and most_at_once(query_spans(athena, "UNLOAD")) <= 2


def test_many_small_tables_run_the_setting_of_queries_at_once(athena: LocalAthena, discovered: dict[str, Any]) -> None:
    athena.faults.delay_query("UNLOAD", 3.0)  # far longer than planning a small table, even on a loaded machine
    athena.reset_observations()

    run = run_connector(
        "read", athena.env(), config=config(max_concurrent_queries=4), catalog=configured_catalog(discovered)
    )

    assert run.returncode == 0, run.errors
    assert_every_row_once([row for table in TABLES for row in run.rows(table)])
    spans = query_spans(athena, "UNLOAD")
    assert len(spans) == len(TABLES) and most_at_once(spans) == 4, spans


def test_the_starts_client_leaves_the_concurrency_refusal_to_the_connector_and_retries_throttling(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in athena.env().items():
        monkeypatch.setenv(name, value)
    clients = AwsClients(parse_config(config()))
    params = {"QueryString": "SELECT 1", "WorkGroup": DEMO_CONFIG["workgroup"]}
    athena.faults.error(
        "athena:StartQueryExecution", "TooManyRequestsException", count=1, reason="CONCURRENT_QUERY_LIMIT_EXCEEDED"
    )
    with pytest.raises(botocore.exceptions.ClientError, match="TooManyRequestsException"):
        clients.athena_starts.start_query_execution(**params)
    assert athena.calls["athena:StartQueryExecution"] == 1, "not retried by botocore"

    athena.faults.error("athena:StartQueryExecution", "ThrottlingException", count=2, message="Rate exceeded")
    assert clients.athena_starts.start_query_execution(**params)["QueryExecutionId"]
    assert athena.calls["athena:StartQueryExecution"] == 4, "the request rate's throttling is retried by botocore"

    athena.faults.error(
        "athena:StartQueryExecution", "TooManyRequestsException", count=1, reason="CONCURRENT_QUERY_LIMIT_EXCEEDED"
    )
    assert clients.athena.start_query_execution(**params)["QueryExecutionId"]
    assert athena.calls["athena:StartQueryExecution"] == 6, "the general client keeps botocore's standard retries"


@pytest.mark.parametrize("setting", [1, 4, 16])
def test_the_s3_connection_pool_holds_the_ranged_gets_beside_the_queries(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch, setting: int
) -> None:
    """Every worker of the file being read (results/ranged_copy.py) has a connection beside the query slots'
    calls (polls, listings, deletes); urllib3 otherwise makes a caller wait or discards connections it opened."""
    for name, value in athena.env().items():
        monkeypatch.setenv(name, value)
    clients = AwsClients(parse_config(config(max_concurrent_queries=setting)))
    assert clients.s3.meta.config.max_pool_connections >= ranged_copy.WORKERS + 4 * setting
