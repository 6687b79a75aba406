"""Small helpers for tests written against the stand-in (start a query and wait for its final state).

Why: every stand-in test runs queries the way a client does (StartQueryExecution, then poll); one helper keeps
the tests short.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def wait(client: Any, query_id: str, timeout: float = 30.0, poll: float = 0.02) -> dict[str, Any]:
    """Poll GetQueryExecution until the query is final; returns the QueryExecution dict."""
    deadline = time.monotonic() + timeout
    while True:
        qe: dict[str, Any] = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if qe["Status"]["State"] in FINAL:
            return qe
        if time.monotonic() > deadline:
            raise TimeoutError(f"query {query_id} still {qe['Status']['State']} after {timeout}s")
        time.sleep(poll)


def run(client: Any, sql: str, workgroup: str = "skoot", **kwargs: Any) -> dict[str, Any]:
    """Start ``sql`` and wait for it; returns the final QueryExecution dict."""
    qid = client.start_query_execution(QueryString=sql, WorkGroup=workgroup, **kwargs)["QueryExecutionId"]
    return wait(client, qid)


def all_rows(client: Any, query_id: str, page_size: int = 1000) -> list[list[str | None]]:
    """Every row (header first) of a finished query via GetQueryResults paging; NULL -> None."""
    rows: list[list[str | None]] = []
    kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": page_size}
    while True:
        page = client.get_query_results(**kwargs)
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        if not page.get("NextToken"):
            return rows
        kwargs["NextToken"] = page["NextToken"]


def wait_until(condition: Callable[[], object], timeout: float = 30.0, poll: float = 0.01) -> bool:
    """Poll the stand-in's state until ``condition()`` is true (True) or ``timeout`` passes (False).

    For tests: wait on what the stand-in reports, never a fixed sleep; the timeout only stops a broken run."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def query_spans(athena: Any, kind: str | None = None) -> list[tuple[float, float]]:
    """(submitted, completed) of every query the stand-in ran since its observations were reset (only ``kind``,
    e.g. "UNLOAD", when given), as its GetQueryExecution reports them; a query still running ends at submission."""
    client = athena.client("athena")
    spans = []
    for query in athena.queries:
        if kind is not None and query.kind != kind:
            continue
        status = client.get_query_execution(QueryExecutionId=query.query_execution_id)["QueryExecution"]["Status"]
        done = status.get("CompletionDateTime", status["SubmissionDateTime"])
        spans.append((status["SubmissionDateTime"].timestamp(), done.timestamp()))
    return spans


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """Most spans open at one instant (one ending as another starts counts once)."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = active = 0
    for _, step in events:
        active += step
        peak = max(peak, active)
    return peak
