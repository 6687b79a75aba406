"""README "Credentials": the three ways to sign in, and an IAM role to assume, through the command line.

Every run is the CLI against the stand-in enforcing IAM (``local_athena/iam.py``) and STS (``sts_model.py``):
temporary keys with their session token, an assumed role (trust policy + external ID, renewed by botocore before
it expires), the default AWS credential chain; and each refusal names the credential to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from integration_tests.claim_runs import discover
from integration_tests.connector import DEMO_CONFIG, TRACEBACK, Run, configured_catalog, run_connector
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows

ACCOUNT = "123456789012"
GUIDE_POLICY = json.loads((Path(__file__).parent / "setup_guide_policies" / "scope_a.json").read_text())
ROLE_NAME = "SkootReader"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
EXTERNAL_ID = "skoot-tenant-4711"
# The user may only assume the role: everything the connector does must go through the role.
ASSUME_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}],
}
CHAIN = "Default AWS credential chain"


def run(athena: LocalAthena, verb: str, config: dict[str, Any], env: dict[str, str] | None = None, **files: Any) -> Run:
    result = run_connector(verb, {**athena.env(), **(env or {})}, config={**DEMO_CONFIG, **config}, **files)
    assert TRACEBACK not in result.stdout + result.stderr, result.stderr[-3000:]
    for secret in (config.get("secret_access_key"), config.get("session_token"), config.get("external_id")):
        if secret:
            assert secret not in result.stdout + result.stderr
    return result


def status(result: Run) -> tuple[str, str]:
    connection = result.connection_status
    return str(connection["status"]), str(connection.get("message", ""))


def session_keys(athena: LocalAthena, access_key_id: str, secret: str) -> dict[str, str]:
    """GetSessionToken with the IAM user's key, as `aws sts get-session-token` would."""
    sts = boto3.client(
        "sts",
        endpoint_url=athena.url,
        region_name=athena.region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
    )
    issued = sts.get_session_token()["Credentials"]
    return {
        "access_key_id": issued["AccessKeyId"],
        "secret_access_key": issued["SecretAccessKey"],
        "session_token": issued["SessionToken"],
    }


@pytest.fixture(scope="module")
def ratings(local_athena: LocalAthena) -> dict[str, Any]:
    return configured_catalog(discover(local_athena, "entertainment"), streams=["ratings"])


@pytest.fixture
def role(iam_athena: LocalAthena) -> Iterator[LocalAthena]:
    """The role SkootReader: the guide's Scope A policy, trusting the IAM user skoot with an external ID."""
    iam = iam_athena.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/skoot"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
            }
        ],
    }
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="guide", PolicyDocument=json.dumps(GUIDE_POLICY))
    try:
        yield iam_athena
    finally:
        iam_athena.sts.lifetime_seconds = None
        iam.delete_role_policy(RoleName=ROLE_NAME, PolicyName="guide")
        iam.delete_role(RoleName=ROLE_NAME)


# --- temporary keys ---------------------------------------------------------------------------------------------
def test_temporary_keys_with_their_session_token_check_and_read(iam_athena: LocalAthena, ratings: Any) -> None:
    with iam_athena.iam.enforce(GUIDE_POLICY) as keys:
        temporary = session_keys(iam_athena, keys.access_key_id, keys.secret_access_key)
        assert status(run(iam_athena, "check", temporary)) == ("SUCCEEDED", "")
        read = run(iam_athena, "read", temporary, catalog=ratings)
    assert len(read.rows("ratings")) == len(expected_rows("ratings"))


def test_expired_temporary_keys_name_the_session_token(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(GUIDE_POLICY) as keys:
        temporary = session_keys(iam_athena, keys.access_key_id, keys.secret_access_key)
        iam_athena.sts.expire(temporary["access_key_id"])
        outcome, message = status(run(iam_athena, "check", temporary))
    assert outcome == "FAILED"
    assert message.startswith("athena:GetWorkGroup failed with ExpiredTokenException: the temporary credentials")
    assert "Session Token" in message and "IAM Role ARN" in message


def test_a_session_token_not_issued_with_the_key_is_named(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(GUIDE_POLICY) as keys:
        temporary = session_keys(iam_athena, keys.access_key_id, keys.secret_access_key)
        other = session_keys(iam_athena, keys.access_key_id, keys.secret_access_key)
        outcome, message = status(run(iam_athena, "check", {**temporary, "session_token": other["session_token"]}))
    assert outcome == "FAILED"
    assert "UnrecognizedClientException: AWS rejected the keys" in message and "Session Token" in message


# --- an IAM role to assume --------------------------------------------------------------------------------------
def test_an_assumed_role_checks_and_reads_with_the_roles_permissions(role: LocalAthena, ratings: Any) -> None:
    with role.iam.enforce(ASSUME_ONLY) as keys:
        config = {**keys_of(keys), "role_arn": ROLE_ARN, "external_id": EXTERNAL_ID}
        assert status(run(role, "check", config)) == ("SUCCEEDED", "")
        read = run(role, "read", config, catalog=ratings)
    assert len(read.rows("ratings")) == len(expected_rows("ratings"))


def test_a_wrong_external_id_names_the_trust_policy(role: LocalAthena) -> None:
    with role.iam.enforce(ASSUME_ONLY) as keys:
        config = {**keys_of(keys), "role_arn": ROLE_ARN, "external_id": "not-the-tenant"}
        outcome, message = status(run(role, "check", config))
    assert outcome == "FAILED"
    assert message.startswith(f"sts:AssumeRole on {ROLE_ARN} was denied (AccessDenied): the role's trust policy")
    assert "External ID field must equal the sts:ExternalId value" in message


def test_a_role_session_near_its_end_is_renewed_during_the_sync(role: LocalAthena, ratings: Any) -> None:
    """Sessions issued with 9 minutes left are inside botocore's mandatory refresh window (10 min): each call
    renews the session first, so a sync spanning several sessions still reads every row."""
    role.sts.lifetime_seconds = 540
    with role.iam.enforce(ASSUME_ONLY) as keys:
        config = {**keys_of(keys), "role_arn": ROLE_ARN, "external_id": EXTERNAL_ID}
        role.reset_observations()
        read = run(role, "read", config, catalog=ratings)
    assert len(read.rows("ratings")) == len(expected_rows("ratings"))
    assert role.calls["sts:AssumeRole"] > 1


# --- the default credential chain ----------------------------------------------------------------------------------
def test_the_default_chain_signs_with_the_environments_keys(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(GUIDE_POLICY) as keys:
        env = {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": keys.secret_access_key}
        config = {"credential_source": CHAIN, "access_key_id": "", "secret_access_key": ""}
        assert status(run(iam_athena, "check", config, env=env)) == ("SUCCEEDED", "")


def test_the_default_chain_without_credentials_says_where_they_come_from(athena: LocalAthena) -> None:
    config = {"credential_source": CHAIN, "access_key_id": "", "secret_access_key": ""}
    outcome, message = status(run(athena, "check", config))
    assert outcome == "FAILED"
    assert message.startswith("athena:GetWorkGroup could not be signed: no credentials were found.")
    assert "instance profile" in message and "IRSA" in message


def test_keys_given_with_the_chain_are_a_config_error(athena: LocalAthena) -> None:
    outcome, message = status(run(athena, "check", {"credential_source": CHAIN}))
    assert outcome == "FAILED"
    assert message.startswith("Config field 'Access Key ID' (access_key_id) must be empty with Credentials")


def keys_of(keys: Any) -> dict[str, str]:
    return {"access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
