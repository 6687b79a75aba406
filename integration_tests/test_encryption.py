"""README "read", encrypted results: a workgroup's result encryption, through the command line.

SSE_S3/SSE_KMS results are read on the fast path (UNLOAD to Parquet); CSE_KMS results are ciphertext in S3
(``local_athena/encryption.py``), so the rows come through GetQueryResults, never through a Parquet or CSV
decoder. Either way the records equal those of an unencrypted workgroup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from integration_tests.claim_runs import discover
from integration_tests.connector import DEMO_CONFIG, TRACEBACK, Run, configured_catalog, run_connector
from local_athena import LocalAthena

KEY_ARN = "arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def ratings(local_athena: LocalAthena) -> dict[str, Any]:
    return configured_catalog(discover(local_athena, "entertainment"), streams=["ratings"])


@pytest.fixture(scope="module")
def plain_records(local_athena: LocalAthena, ratings: dict[str, Any]) -> list[dict[str, Any]]:
    return read(local_athena, "skoot", ratings).rows("ratings")


def read(athena: LocalAthena, workgroup: str, catalog: dict[str, Any]) -> Run:
    result = run_connector("read", athena.env(), config={**DEMO_CONFIG, "workgroup": workgroup}, catalog=catalog)
    assert result.returncode == 0 and TRACEBACK not in result.stdout + result.stderr, result.stderr[-3000:]
    assert not result.errors, result.errors
    return result


def encrypted_workgroup(athena: LocalAthena, option: str) -> str:
    name = f"skoot_{option.lower()}"
    encryption = {"EncryptionOption": option, **({"KmsKey": KEY_ARN} if option == "SSE_KMS" else {})}
    athena.create_workgroup(name, output_location="s3://skoot-athena-results/", enforce=True, encryption=encryption)
    return name


@pytest.mark.parametrize("option", ["SSE_S3", "SSE_KMS"])
def test_server_side_encrypted_results_are_read_on_the_fast_path(
    athena_sandbox: LocalAthena, ratings: dict[str, Any], plain_records: list[dict[str, Any]], option: str
) -> None:
    workgroup = encrypted_workgroup(athena_sandbox, option)
    athena_sandbox.reset_observations()
    result = read(athena_sandbox, workgroup, ratings)
    assert sorted(map(str, result.rows("ratings"))) == sorted(map(str, plain_records))
    assert [q.kind for q in athena_sandbox.queries] == ["UNLOAD"]
    assert athena_sandbox.calls["athena:GetQueryResults"] == 0


def test_client_side_encrypted_results_are_read_through_get_query_results(
    athena_sandbox: LocalAthena, ratings: dict[str, Any], plain_records: list[dict[str, Any]]
) -> None:
    workgroup = encrypted_workgroup(athena_sandbox, "CSE_KMS")
    athena_sandbox.reset_observations()
    result = read(athena_sandbox, workgroup, ratings)
    assert sorted(map(str, result.rows("ratings"))) == sorted(map(str, plain_records))
    assert all(q.kind != "UNLOAD" for q in athena_sandbox.queries)
    assert athena_sandbox.calls["athena:GetQueryResults"] >= 1
    assert athena_sandbox.calls["s3:GetObject"] == 0  # the ciphertext is never downloaded
    assert any(
        "GetQueryResults (the workgroup encrypts its results client-side, CSE_KMS)" in line for line in result.logs
    )


# --- KMS permissions (the stand-in enforcing IAM: identity policies, no key policies) ------------------------------
def guide_policy_for(workgroup: str, *kms_actions: str) -> dict[str, Any]:
    """The guide's Scope A policy for ``workgroup``, plus ``kms_actions`` on the result key."""
    policy: dict[str, Any] = json.loads((Path(__file__).parent / "setup_guide_policies" / "scope_a.json").read_text())
    for statement in policy["Statement"]:
        if statement["Sid"] == "SkootAthenaWorkgroupQuery":
            statement["Resource"] = [statement["Resource"], statement["Resource"].replace("/skoot", f"/{workgroup}")]
    if kms_actions:
        policy["Statement"].append({"Effect": "Allow", "Action": list(kms_actions), "Resource": KEY_ARN})
    return policy


def as_user(athena: LocalAthena, verb: str, policy: dict[str, Any], workgroup: str, **files: Any) -> Run:
    with athena.iam.enforce(policy) as keys:
        config = {
            **DEMO_CONFIG,
            "workgroup": workgroup,
            "access_key_id": keys.access_key_id,
            "secret_access_key": keys.secret_access_key,
        }
        result = run_connector(verb, athena.env(), config=config, **files)
    assert TRACEBACK not in result.stdout + result.stderr, result.stderr[-3000:]
    return result


def test_check_names_kms_generate_data_key_and_the_key_when_results_cannot_be_encrypted(
    iam_athena: LocalAthena, athena_sandbox: LocalAthena
) -> None:
    workgroup = encrypted_workgroup(athena_sandbox, "SSE_KMS")
    status = as_user(iam_athena, "check", guide_policy_for(workgroup), workgroup).connection_status
    assert status["status"] == "FAILED"
    assert status["message"].startswith(
        f"The trial query's result write (workgroup '{workgroup}', SSE_KMS) was denied by KMS: kms:GenerateDataKey "
        f"on the key {KEY_ARN} is not allowed."
    )
    with_kms = guide_policy_for(workgroup, "kms:GenerateDataKey", "kms:Decrypt")
    assert as_user(iam_athena, "check", with_kms, workgroup).connection_status["status"] == "SUCCEEDED"


def test_read_names_kms_decrypt_and_the_key_when_results_cannot_be_decrypted(
    iam_athena: LocalAthena, athena_sandbox: LocalAthena, ratings: dict[str, Any], plain_records: list[dict[str, Any]]
) -> None:
    workgroup = encrypted_workgroup(athena_sandbox, "SSE_KMS")
    denied = as_user(iam_athena, "read", guide_policy_for(workgroup, "kms:GenerateDataKey"), workgroup, catalog=ratings)
    messages = [str(error.get("message", "")) for error in denied.errors]
    assert any(f"was denied by KMS: kms:Decrypt on the key {KEY_ARN} is not allowed" in m for m in messages), messages
    policy = guide_policy_for(workgroup, "kms:GenerateDataKey", "kms:Decrypt")
    allowed = as_user(iam_athena, "read", policy, workgroup, catalog=ratings)
    assert sorted(map(str, allowed.rows("ratings"))) == sorted(map(str, plain_records))


# --- the workgroup's ExpectedBucketOwner ------------------------------------------------------------------------
def owner_workgroup(athena: LocalAthena, owner: str) -> str:
    athena.create_workgroup(
        "skoot_owned", output_location="s3://skoot-athena-results/", enforce=True, expected_bucket_owner=owner
    )
    return "skoot_owned"


def test_every_s3_call_to_the_results_bucket_names_its_expected_owner(
    athena_sandbox: LocalAthena, ratings: dict[str, Any], plain_records: list[dict[str, Any]]
) -> None:
    workgroup = owner_workgroup(athena_sandbox, "123456789012")
    athena_sandbox.reset_observations()
    assert athena_sandbox.bucket_owner is not None
    before = sum(athena_sandbox.bucket_owner.checked.values())
    athena_sandbox.bucket_owner.unchecked.clear()
    result = read(athena_sandbox, workgroup, ratings)
    assert sorted(map(str, result.rows("ratings"))) == sorted(map(str, plain_records))
    # Every call to the results bucket carried the header (the data bucket's listing need not: another setting).
    assert sum(athena_sandbox.bucket_owner.checked.values()) - before > 0
    assert athena_sandbox.bucket_owner.unchecked["skoot-athena-results"] == 0, athena_sandbox.bucket_owner.unchecked


def test_a_results_bucket_owned_by_another_account_fails_the_stream(
    athena_sandbox: LocalAthena, ratings: dict[str, Any]
) -> None:
    workgroup = owner_workgroup(athena_sandbox, "999999999999")
    result = run_connector(
        "read", athena_sandbox.env(), config={**DEMO_CONFIG, "workgroup": workgroup}, catalog=ratings
    )
    assert TRACEBACK not in result.stdout + result.stderr
    assert not result.rows("ratings") and any("AccessDenied" in str(e.get("message")) for e in result.errors)
