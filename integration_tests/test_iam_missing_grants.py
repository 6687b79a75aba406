"""README "Permissions": what a missing grant does, beyond "the verb fails naming the action" (test_iam.py).

Claims -> tests:
- "one listed in Glue Databases but not granted fails `check` (naming the database/ and table/ ARNs to add)"
  -> test_check_names_the_arns_to_add_for_a_listed_database_not_granted
- "a missing s3:DeleteObject is a warning (the rows are delivered, the result files stay in the bucket)"
  -> test_without_delete_object_the_rows_arrive_and_the_result_files_stay
- "as is a missing s3:ListBucket on the results bucket (UNLOAD fails, the result CSV is read instead)"
  -> test_without_results_list_bucket_the_result_csv_is_read
Each runs under the guide's exact policy with one grant removed, the stand-in enforcing IAM.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import TRACEBACK, discover
from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from local_athena import LocalAthena, iam
from local_athena.demo_lake import expected_rows

POLICIES = Path(__file__).parent / "setup_guide_policies"
RESULTS_BUCKET = "skoot-athena-results"
GLUE_ARN = "arn:aws:glue:ap-south-1:123456789012"


def guide_policy(scope: str, *, without: str | None = None) -> dict[str, Any]:
    """The guide's policy of ``scope`` ("a" or "b"), without one action of its SkootAthenaResultsS3 statement."""
    doc: dict[str, Any] = json.loads((POLICIES / f"scope_{scope}.json").read_text())
    for statement in doc["Statement"]:
        if statement["Sid"] == "SkootAthenaResultsS3":
            statement["Action"] = [a for a in statement["Action"] if a != without]
    return doc


def run_as_user(athena: LocalAthena, verb: str, policy: dict[str, Any], **files: Any) -> Run:
    with athena.iam.enforce(policy) as keys:
        config = {
            **files.pop("config"),
            "access_key_id": keys.access_key_id,
            "secret_access_key": keys.secret_access_key,
        }
        run = run_connector(verb, athena.env(), config=config, **files)
    assert TRACEBACK not in run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def movies(local_athena: LocalAthena) -> dict[str, Any]:
    return configured_catalog(discover(local_athena, "entertainment"), streams=["movies"])


@pytest.fixture
def finance(iam_athena: LocalAthena, athena_sandbox: LocalAthena) -> Iterator[LocalAthena]:
    """A Glue database the Scope B policy does not name (removed after the test)."""
    iam_athena.put_table("finance", "ledger", pa.table({"id": [1, 2]}))
    yield iam_athena


def test_check_names_the_arns_to_add_for_a_listed_database_not_granted(finance: LocalAthena) -> None:
    config = {**DEMO_CONFIG, "databases": ["entertainment", "finance"]}
    run = run_as_user(finance, "check", guide_policy("b"), config=config)
    status = run.connection_status
    assert status["status"] == "FAILED"
    assert "database/finance" in status["message"] and "table/finance/*" in status["message"], status
    assert "SkootGlueMetadataSelectedDatabases" in status["message"]
    assert ("glue:GetDatabase", f"{GLUE_ARN}:database/finance") in {
        (action, resource) for action, resource, allowed in iam.decisions() if not allowed
    }


def result_keys(athena: LocalAthena) -> set[str]:
    s3 = athena.client("s3")
    return {o["Key"] for o in s3.list_objects_v2(Bucket=RESULTS_BUCKET).get("Contents", [])}


def test_without_delete_object_the_rows_arrive_and_the_result_files_stay(
    iam_athena: LocalAthena, movies: dict[str, Any]
) -> None:
    before = result_keys(iam_athena)
    try:
        run = run_as_user(
            iam_athena, "read", guide_policy("a", without="s3:DeleteObject"), config=DEMO_CONFIG, catalog=movies
        )
        left = result_keys(iam_athena) - before
    finally:
        stale = [{"Key": k} for k in result_keys(iam_athena) - before]
        if stale:
            iam_athena.client("s3").delete_objects(Bucket=RESULTS_BUCKET, Delete={"Objects": stale})
    assert run.returncode == 0 and not run.errors, run.errors
    assert len(run.rows("movies")) == len(expected_rows("movies"))
    warnings = [log for log in run.logs if "Could not delete query result files" in log]
    assert warnings and all("s3:DeleteObject" in w and "SkootAthenaResultsS3" in w for w in warnings), run.logs
    assert any(key.endswith("-manifest.csv") for key in left) and any("skoot-athena-unload/" in k for k in left), left


def test_without_results_list_bucket_the_result_csv_is_read(iam_athena: LocalAthena, movies: dict[str, Any]) -> None:
    iam_athena.reset_observations()
    run = run_as_user(
        iam_athena, "read", guide_policy("a", without="s3:ListBucket"), config=DEMO_CONFIG, catalog=movies
    )
    assert run.returncode == 0 and not run.errors, run.errors
    assert len(run.rows("movies")) == len(expected_rows("movies"))
    assert any("Read path: result CSV for the rest of this sync" in log for log in run.logs), run.logs
    assert [q.state for q in iam_athena.queries if '"movies"' in q.sql] == ["FAILED", "SUCCEEDED"]
    assert ("s3:ListBucket", f"arn:aws:s3:::{RESULTS_BUCKET}") in {
        (action, resource) for action, resource, allowed in iam.decisions() if not allowed
    }
