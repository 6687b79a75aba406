"""Failure types a user can act on, through the command line, and every error message through the secret filter.

The platform shows a `config_error` as something the user must fix and does not count it against the connector;
`transient_error` says "try again"; `system_error` is the connector's or AWS's fault (airbyte_protocol.yaml,
AirbyteErrorTraceMessage.failure_type). `check` follows the CDK's `AirbyteEntrypoint.check`: a config error is a
FAILED connection status (exit 0); anything else is an error trace and a non-zero exit.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from integration_tests.protocol import assert_valid_protocol
from local_athena import LocalAthena

DB = "failure_types"
TABLE = "events"
SECRET = "s3cr3t-Canary-Value-9f8e7d"


def config(**overrides: Any) -> dict[str, Any]:
    return {**DEMO_CONFIG, "databases": [DB], **overrides}


@pytest.fixture(scope="module")
def catalog(local_athena: LocalAthena) -> dict[str, Any]:
    local_athena.put_table(DB, TABLE, pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    run = run_connector("discover", local_athena.env(), config=config())
    assert run.returncode == 0, run.stdout[-2000:]
    return configured_catalog(run.of_type("CATALOG")[0]["catalog"])


def run_verb(athena: LocalAthena, verb: str, catalog: dict[str, Any] | None = None, **overrides: Any) -> Run:
    run = run_connector(verb, athena.env(), config=config(**overrides), catalog=catalog)
    assert_valid_protocol(run.stdout)
    assert "Traceback (most recent call last)" not in run.stdout + run.stderr
    return run


def failed_read(athena: LocalAthena, catalog: dict[str, Any], **overrides: Any) -> tuple[dict[str, Any], str]:
    """The stream's own error trace and the final one's failure type."""
    run = run_verb(athena, "read", catalog, **overrides)
    assert run.returncode == 1
    (stream_error,) = [e for e in run.errors if e.get("stream_descriptor")]
    assert stream_error["stream_descriptor"] == {"name": TABLE, "namespace": DB}
    assert run.statuses(TABLE)[-1] == "INCOMPLETE"
    final = run.errors[-1]
    assert "stream_descriptor" not in final or not final["stream_descriptor"]
    return stream_error, final["failure_type"]


# --- config_error: the user fixes it ----------------------------------------------------------------------------
@pytest.mark.parametrize("error_type", ["HIVE_BAD_DATA", "COLUMN_NOT_FOUND", "PERMISSION_DENIED"])
def test_a_table_athena_rejects_as_a_user_error_is_a_config_error(
    athena: LocalAthena, catalog: dict[str, Any], error_type: str
) -> None:
    athena.faults.fail_query(f'"{TABLE}"', count=2, error_type=error_type)  # UNLOAD and the plain SELECT
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "config_error"
    assert error_type in error["message"] and not error.get("stack_trace")


def test_a_denied_permission_is_a_config_error_naming_the_statement(
    athena: LocalAthena, catalog: dict[str, Any]
) -> None:
    athena.faults.error("glue:GetTable", "AccessDeniedException", message="User is not authorized")
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "config_error"
    assert "glue:GetTable" in error["message"] and "SkootGlueMetadata" in error["message"]


def test_the_query_timeout_the_user_set_is_a_config_error(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    athena.faults.delay_query(f'"{TABLE}"', 30)
    error, final = failed_read(athena, catalog, query_timeout_ms=1000)
    assert error["failure_type"] == final == "config_error"
    assert "Query Timeout (ms)" in error["message"]
    assert [q.state for q in athena.queries if TABLE in q.sql] == ["CANCELLED"]


def test_a_query_start_athena_refuses_is_a_config_error(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    athena.faults.error("athena:StartQueryExecution", "InvalidRequestException", message="No output location provided.")
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "config_error"
    assert "query result location" in error["message"]


# --- transient_error: try again ---------------------------------------------------------------------------------
def test_an_athena_system_error_is_transient(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    athena.faults.fail_query(f'"{TABLE}"', count=2, error_type="INTERNAL_ERROR")  # ErrorCategory 1 (SYSTEM)
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "transient_error"


def test_a_retryable_failure_that_keeps_failing_is_transient(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    athena.faults.fail_query(f'"{TABLE}"', count=100, retryable=True, error_type="GENERIC_USER_ERROR")
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "transient_error"
    assert len([q for q in athena.queries if TABLE in q.sql]) > 2, "retried before giving up"


# --- system_error: the rest ---------------------------------------------------------------------------------------
def test_an_unexpected_aws_answer_is_a_system_error(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    athena.faults.error("glue:GetTable", "UnheardOfException", message="something new")
    error, final = failed_read(athena, catalog)
    assert error["failure_type"] == final == "system_error"
    assert "UnheardOfException" in error["message"]


# --- check, the CDK's way ---------------------------------------------------------------------------------------
def test_check_reports_a_config_error_as_failed_and_anything_else_as_a_trace(athena: LocalAthena) -> None:
    athena.faults.error("athena:GetWorkGroup", "AccessDeniedException", message="not authorized")
    denied = run_verb(athena, "check")
    assert denied.returncode == 0 and denied.connection_status["status"] == "FAILED" and not denied.errors

    athena.faults.clear()
    athena.faults.fail_query("SELECT 1", error_type="INTERNAL_ERROR")
    broken = run_verb(athena, "check")
    assert broken.returncode == 1 and not broken.of_type("CONNECTION_STATUS")
    (error,) = broken.errors
    assert error["failure_type"] == "transient_error" and "INTERNAL_ERROR" in error["message"]

    athena.faults.clear()
    athena.faults.error("athena:GetWorkGroup", "UnheardOfException", message="something new")
    odd = run_verb(athena, "check")
    assert odd.returncode == 1 and [e["failure_type"] for e in odd.errors] == ["system_error"]


# --- the secret filter ----------------------------------------------------------------------------------------------
def test_every_error_message_passes_the_secret_filter(athena: LocalAthena, catalog: dict[str, Any]) -> None:
    """A stream whose namespace happens to be the secret: its trace, the final trace and the logs mask it."""
    leaky = {"streams": [{**catalog["streams"][0], "stream": {**catalog["streams"][0]["stream"], "namespace": SECRET}}]}
    run = run_verb(athena, "read", leaky, secret_access_key=SECRET)
    assert run.returncode == 1
    assert len(run.errors) == 2 and all("****" in e["message"] for e in run.errors), run.errors
    # Only the stream's identity (its descriptor) still names it; no message text does.
    texts = [e.get(key) or "" for e in run.errors for key in ("message", "internal_message", "stack_trace")]
    assert SECRET not in " ".join(texts + run.logs) + run.stderr
    check = run_verb(athena, "check", secret_access_key=SECRET, workgroup=SECRET)
    assert check.connection_status["status"] == "FAILED" and "****" in check.connection_status["message"]
    assert SECRET not in check.stdout + check.stderr
