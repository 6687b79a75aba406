"""The connector against Athena's active-query quota, enforced by the stand-in as AWS does: it lowers its own
concurrency when StartQueryExecution answers TooManyRequestsException (CONCURRENT_QUERY_LIMIT_EXCEEDED) and still
delivers every record (README, Reliability)."""

from __future__ import annotations

import json
import re

from integration_tests.connector import DEMO_CONFIG, configured_catalog, run_connector
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows

STREAMS = ("movies", "ratings", "catalog_items")
# botocore's own retries (8 attempts of jittered backoff) would hide the refusal from the connector until a slot
# frees; with one attempt the connector sees each refusal, as it does once botocore's attempts run out.
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}


def test_the_connector_lowers_its_concurrency_to_the_quota_and_reads_everything(athena: LocalAthena) -> None:
    discovered = run_connector("discover", athena.env(), config={**DEMO_CONFIG, "databases": ["entertainment"]})
    catalog = configured_catalog(discovered.of_type("CATALOG")[0]["catalog"])
    athena.max_active_queries = 1
    delay = athena.faults.delay_query("UNLOAD", 2.0)  # every slice query stays RUNNING 2 s: the starts overlap
    athena.reset_observations()

    run = run_connector(
        "read", {**athena.env(), **ONE_ATTEMPT}, config={**DEMO_CONFIG, "max_concurrent_queries": 3}, catalog=catalog
    )

    assert run.returncode == 0, run.errors
    for stream in STREAMS:
        got = sorted(json.dumps(r, sort_keys=True, default=str) for r in run.rows(stream))
        assert len(got) == len(expected_rows(stream)), stream
    lowered = [m for m in run.logs if "concurrent query limit was reached" in m]
    assert lowered, "the connector saw the quota"
    # Each refusal lowers the limit by one from the configured 3 (never below 1): how many refusals there are
    # depends on how the starts overlap, but every one of them lowered it.
    limits = [int(re.search(r"running at most (\d+) queries", m).group(1)) for m in lowered]  # type: ignore[union-attr]
    assert limits == [max(1, 3 - n) for n in range(1, len(limits) + 1)], lowered
    assert athena.refused_queries >= 1 and athena.refused_queries == len(lowered)
    assert athena.calls["athena:StartQueryExecution"] == len(athena.queries) + athena.refused_queries
    assert all(q.state == "SUCCEEDED" for q in athena.queries)
    assert delay.fired == len([q for q in athena.queries if "UNLOAD" in q.sql]) >= len(STREAMS)
