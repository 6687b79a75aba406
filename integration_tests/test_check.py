"""`check` through the command line against the local stand-in: success, and each setup mistake named."""

from __future__ import annotations

import pytest

from integration_tests.connector import DEMO_CONFIG, Run, run_connector
from local_athena import LocalAthena


def check(athena: LocalAthena, **overrides: object) -> tuple[str, str, Run]:
    run = run_connector("check", athena.env(), config={**DEMO_CONFIG, **overrides})
    assert run.returncode == 0, run.stderr
    run.assert_clean()
    status = run.connection_status
    return status["status"], status.get("message", ""), run


def test_check_succeeds_on_the_demo_and_runs_the_trial_query(athena: LocalAthena) -> None:
    status, message, _ = check(athena)
    assert (status, message) == ("SUCCEEDED", "")
    assert athena.calls["athena:GetWorkGroup"] == 1
    assert athena.calls["glue:GetDatabases"] == 1
    (trial,) = athena.queries
    assert trial.sql.endswith("SELECT 1") and trial.sql.startswith("/* source-skoot-athena: Skoot demo (check) */")
    assert trial.workgroup == "skoot" and trial.state == "SUCCEEDED"


def test_unknown_workgroup_names_the_field(athena: LocalAthena) -> None:
    status, message, _ = check(athena, workgroup="no-such-workgroup")
    assert status == "FAILED"
    assert "athena:GetWorkGroup" in message and "'no-such-workgroup' does not exist" in message
    assert "Workgroup field" in message


def test_disabled_workgroup(athena: LocalAthena) -> None:
    athena.create_workgroup("skoot-disabled", output_location="s3://skoot-athena-results/disabled/", state="DISABLED")
    status, message, _ = check(athena, workgroup="skoot-disabled")
    assert status == "FAILED"
    assert "is DISABLED" in message and "enable it" in message


def test_workgroup_without_result_location_points_to_the_prerequisite(athena: LocalAthena) -> None:
    athena.create_workgroup("skoot-no-output", output_location=None)
    status, message, _ = check(athena, workgroup="skoot-no-output")
    assert status == "FAILED"
    assert "no S3 query result location" in message and "Prerequisites" in message
    assert not athena.queries, "no query may be started without a result location"


def test_result_location_that_is_not_enforced_is_enough(athena: LocalAthena) -> None:
    athena.create_workgroup("skoot-optional", output_location="s3://skoot-athena-results/optional/", enforce=False)
    status, message, _ = check(athena, workgroup="skoot-optional")
    assert (status, message) == ("SUCCEEDED", "")


def test_failing_trial_query_reports_athenas_reason(athena: LocalAthena) -> None:
    # A user error (ErrorCategory 2) is FAILED; Athena's own errors are a trace (test_failure_types.py).
    athena.faults.fail_query("SELECT 1", error_type="GENERIC_USER_ERROR")
    status, message, _ = check(athena)
    assert status == "FAILED"
    assert "failed" in message and "GENERIC_USER_ERROR" in message


def test_glue_denied_names_the_statement(athena: LocalAthena) -> None:
    athena.faults.error("glue:GetDatabases", "AccessDeniedException", message="User is not authorized")
    status, message, _ = check(athena)
    assert status == "FAILED"
    assert "glue:GetDatabases was denied" in message
    assert "SkootGlueMetadataAllDatabases" in message and "SkootGlueMetadataSelectedDatabases" in message
    assert "Step 2" in message


def test_athena_denied_names_the_workgroup_statement(athena: LocalAthena) -> None:
    athena.faults.error("athena:GetWorkGroup", "AccessDeniedException", message="not authorized")
    status, message, _ = check(athena)
    assert status == "FAILED"
    assert "athena:GetWorkGroup" in message and "SkootAthenaWorkgroupQuery" in message


@pytest.mark.parametrize("code", ["UnrecognizedClientException", "InvalidSignatureException"])
def test_bad_keys_say_the_keys_were_rejected(athena: LocalAthena, code: str) -> None:
    athena.faults.error("athena:GetWorkGroup", code, status=400, message="The security token is invalid")
    status, message, run = check(athena)
    assert status == "FAILED"
    assert "rejected the keys" in message and "Step 3" in message
    assert DEMO_CONFIG["secret_access_key"] not in run.stdout + run.stderr


def test_timeout_stops_the_trial_query(athena: LocalAthena) -> None:
    athena.faults.delay_query("SELECT 1", 30)
    status, message, _ = check(athena, query_timeout_ms=1000)
    assert status == "FAILED"
    assert "Query Timeout (ms)" in message and "1000 ms" in message and "was stopped" in message
    assert athena.calls["athena:StopQueryExecution"] == 1
    (trial,) = athena.queries
    assert trial.state == "CANCELLED"


def test_scope_b_databases_are_checked_one_by_one(athena: LocalAthena) -> None:
    status, _, _ = check(athena, databases=["entertainment"])
    assert status == "SUCCEEDED"
    assert athena.calls["glue:GetDatabase"] == 1 and athena.calls["glue:GetDatabases"] == 0


def test_a_listed_database_that_does_not_exist_is_named(athena: LocalAthena) -> None:
    status, message, _ = check(athena, databases=["entertainment", "missing_db"])
    assert status == "FAILED" and "'missing_db'" in message and "does not exist" in message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"query_timeout_ms": 10}, "query_timeout_ms"),
        ({"aws_region": "mars-central"}, "aws_region"),
        ({"workgroup": ""}, "workgroup"),
        ({"query_timeout_ms": "soon"}, "query_timeout_ms"),
    ],
    ids=["timeout-too-small", "unknown-region", "empty-workgroup", "timeout-not-a-number"],
)
def test_config_errors_name_the_field(athena: LocalAthena, overrides: dict[str, object], field: str) -> None:
    status, message, _ = check(athena, **overrides)
    assert status == "FAILED"
    assert field in message
    assert not athena.calls, "a bad config must not reach AWS"


def test_missing_field_is_a_config_error(athena: LocalAthena) -> None:
    config = {k: v for k, v in DEMO_CONFIG.items() if k != "access_key_id"}
    run = run_connector("check", athena.env(), config=config)
    status = run.connection_status
    assert status["status"] == "FAILED" and "access_key_id" in status["message"]
    run.assert_clean()
