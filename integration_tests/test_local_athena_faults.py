"""The stand-in's fault injection, cancellation and delays, seen through boto3 over HTTP.

No test sleeps to synchronise or asserts an upper bound on elapsed time: they wait on the stand-in's state
(``wait``/``wait_until``) and read the rules' ``fired`` counters."""

from __future__ import annotations

import time

import botocore.config
import botocore.exceptions
import pytest

from local_athena import LocalAthena
from local_athena.faults import Faults
from local_athena.testing import run, wait, wait_until

NO_RETRY = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _client(athena: LocalAthena, service: str):
    import boto3

    return boto3.client(
        service,
        endpoint_url=athena.url,
        region_name=athena.region,
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=NO_RETRY,
    )


def test_throttling_with_count(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    rule = athena.faults.error("athena:GetWorkGroup", "ThrottlingException", count=2, message="Rate exceeded")
    c = _client(athena, "athena")
    for _ in range(2):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            c.get_work_group(WorkGroup="skoot")
        assert err.value.response["Error"]["Code"] == "ThrottlingException"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert c.get_work_group(WorkGroup="skoot")["WorkGroup"]["Name"] == "skoot"
    assert athena.calls["athena:GetWorkGroup"] == 3
    assert rule.fired == 2 and athena.faults.fired() == {"athena:GetWorkGroup": 2}


def test_too_many_requests_reason(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    athena.faults.error(
        "athena:StartQueryExecution", "TooManyRequestsException", count=1, reason="CONCURRENT_QUERY_LIMIT_EXCEEDED"
    )
    c = _client(athena, "athena")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        c.start_query_execution(QueryString="SELECT 1", WorkGroup="skoot")
    assert err.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert err.value.response.get("Reason") == "CONCURRENT_QUERY_LIMIT_EXCEEDED"
    assert athena.queries == []


def test_internal_server_error_500_is_retried_by_botocore(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    athena.faults.error("glue:GetDatabases", "InternalServerException", status=500, count=1)
    glue = athena.client("glue")  # default retry config retries 5xx
    assert glue.get_databases()["DatabaseList"]
    assert athena.calls["glue:GetDatabases"] == 2


def test_s3_slowdown_503(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    athena.faults.error("s3:GetObject", "SlowDown", status=503, count=1, message="Please reduce your request rate.")
    s3 = _client(athena, "s3")
    qe = run(athena.client("athena"), "SELECT 1")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.get_object(Bucket="skoot-athena-results", Key=f"{qe['QueryExecutionId']}.csv")
    assert err.value.response["Error"]["Code"] == "SlowDown"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert s3.get_object(Bucket="skoot-athena-results", Key=f"{qe['QueryExecutionId']}.csv")["Body"].read()


def test_rate_is_deterministic(athena_sandbox: LocalAthena):
    athena = athena_sandbox

    def outcomes() -> list[bool]:
        athena.faults.clear()
        rule = athena.faults.error("athena:ListWorkGroups", "ThrottlingException", rate=0.5)
        c = _client(athena, "athena")
        out = []
        for _ in range(12):
            try:
                c.list_work_groups()
                out.append(True)
            except botocore.exceptions.ClientError:
                out.append(False)
        assert rule.fired == out.count(False)
        return out

    first = outcomes()
    assert first == outcomes()
    assert any(first) and not all(first)


def test_each_rule_draws_from_its_own_generator():
    """A rule's outcomes do not depend on how often other rules drew (threads interleave those draws)."""

    def draws(faults: Faults, operation: str, n: int) -> list[bool]:
        return [faults.take_error(operation) is not None for _ in range(n)]

    alone = Faults(seed=7)
    alone.error("glue:GetTable", "ThrottlingException", rate=0.5)
    alone.error("s3:GetObject", "SlowDown", rate=0.5)
    expected = draws(alone, "s3:GetObject", 40)

    busy = Faults(seed=7)
    busy.error("glue:GetTable", "ThrottlingException", rate=0.5)
    s3_rule = busy.error("s3:GetObject", "SlowDown", rate=0.5)
    interleaved = []
    for _ in range(40):
        draws(busy, "glue:GetTable", 3)  # another thread's calls in between
        interleaved += draws(busy, "s3:GetObject", 1)
    assert interleaved == expected
    assert s3_rule.fired == expected.count(True) > 0
    other_seed = Faults(seed=8)
    other_seed.error("glue:GetTable", "ThrottlingException", rate=0.5)
    other_seed.error("s3:GetObject", "SlowDown", rate=0.5)
    assert draws(other_seed, "s3:GetObject", 40) != expected


def test_fail_query_retryable(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    rule = athena.faults.fail_query("FROM entertainment.ratings", retryable=True, error_type="INTERNAL_ERROR")
    c = athena.client("athena")
    qe = run(c, "SELECT * FROM entertainment.ratings")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["AthenaError"]["Retryable"] is True
    assert qe["Status"]["StateChangeReason"].startswith("INTERNAL_ERROR")
    assert run(c, "SELECT * FROM entertainment.ratings")["Status"]["State"] == "SUCCEEDED"  # count=1
    assert rule.fired == 1 and athena.faults.fired() == {"fail:FROM entertainment.ratings": 1}


def test_cancel_query_fault(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    athena.faults.cancel_query("SELECT 42")
    assert run(athena.client("athena"), "SELECT 42")["Status"]["State"] == "CANCELLED"


def test_delay_query_is_running_and_stoppable(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    delay = athena.faults.delay_query("SELECT 43", 30)
    c = athena.client("athena")
    qid = c.start_query_execution(QueryString="SELECT 43", WorkGroup="skoot")["QueryExecutionId"]
    assert wait_until(lambda: delay.fired == 1)
    assert c.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "RUNNING"
    c.stop_query_execution(QueryExecutionId=qid)
    assert wait(c, qid)["Status"]["State"] == "CANCELLED"
    assert athena.query_finished(qid, timeout=30), "the stop ends the delay: the worker is done"
    assert athena.calls["athena:StopQueryExecution"] == 1


def test_delay_then_succeeds(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    delay = athena.faults.delay_query("SELECT 44", 0.3)
    c = athena.client("athena")
    started = time.monotonic()
    assert run(c, "SELECT 44")["Status"]["State"] == "SUCCEEDED"
    assert delay.fired == 1
    assert time.monotonic() - started >= 0.3  # a lower bound a sleep guarantees (cannot flake)


def test_stopping_a_finished_query_changes_nothing(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(c, "SELECT 45")
    c.stop_query_execution(QueryExecutionId=qe["QueryExecutionId"])
    assert wait(c, qe["QueryExecutionId"])["Status"]["State"] == "SUCCEEDED"


def test_latency(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    rule = athena.faults.latency("athena:ListWorkGroups", 0.3)
    c = athena.client("athena")
    started = time.monotonic()
    c.list_work_groups()
    assert time.monotonic() - started >= 0.3  # a lower bound a sleep guarantees (cannot flake)
    assert rule.fired == 1
    athena.faults.clear()
    c.list_work_groups()
    assert rule.fired == 1, "cleared: the second call was not delayed"
    assert athena.calls["athena:ListWorkGroups"] == 2


def test_stop_interrupts_a_long_running_query(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    sql = (
        "SELECT sum(a.score * b.score * d.score * e.score) FROM entertainment.ratings a, entertainment.ratings b, "
        "entertainment.ratings d, entertainment.ratings e"
    )  # 500^4 rows: minutes of DuckDB work unless interrupted
    qid = c.start_query_execution(QueryString=sql, WorkGroup="skoot")["QueryExecutionId"]
    assert wait_until(
        lambda: c.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "RUNNING"
    )
    c.stop_query_execution(QueryExecutionId=qid)
    assert wait(c, qid)["Status"]["State"] == "CANCELLED"
    assert athena.query_finished(qid, timeout=60), "the worker stopped computing (the deadline only ends a hang)"
