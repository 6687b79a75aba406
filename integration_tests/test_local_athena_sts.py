"""The stand-in's STS model (``local_athena/sts_model.py``): temporary keys act as AWS lets them, and only then.

Each test signs real requests with boto3 while the stand-in enforces IAM, and asserts AWS's codes per protocol.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from local_athena import LocalAthena

ACCOUNT = "123456789012"
ROLE_NAME = "SkootStsModelRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
EXTERNAL_ID = "skoot-external-7"
READ_GLUE = {"Effect": "Allow", "Action": ["glue:GetDatabases"], "Resource": "*"}
NO_RETRY = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1})


def signed(athena: LocalAthena, service: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=athena.url,
        region_name=athena.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=NO_RETRY,
    )


def code_of(call: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


@pytest.fixture
def role(iam_athena: LocalAthena) -> Iterator[LocalAthena]:
    """A role the IAM user ``skoot`` may assume with the external id, allowed to list Glue databases."""
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
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="glue",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [READ_GLUE]}),
    )
    try:
        yield iam_athena
    finally:
        iam_athena.sts.lifetime_seconds = None
        iam.delete_role_policy(RoleName=ROLE_NAME, PolicyName="glue")
        iam.delete_role(RoleName=ROLE_NAME)


USER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [READ_GLUE, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}],
}


def test_session_token_keys_act_as_the_user_and_need_their_token(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(USER_POLICY) as keys:
        sts = signed(iam_athena, "sts", keys.access_key_id, keys.secret_access_key)
        issued = sts.get_session_token(DurationSeconds=900)["Credentials"]
        key, secret, token = issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
        assert key.startswith("ASIA") and key != keys.access_key_id
        assert signed(iam_athena, "glue", key, secret, token).get_databases()["DatabaseList"]
        # Without its token, or with another one, the key is not recognised (Glue: JSON; S3: InvalidToken).
        assert code_of(lambda: signed(iam_athena, "glue", key, secret).get_databases()) == "UnrecognizedClientException"
        wrong = token[:-4] + "AAAA"
        assert code_of(lambda: signed(iam_athena, "glue", key, secret, wrong).get_databases()) == (
            "UnrecognizedClientException"
        )
        s3 = signed(iam_athena, "s3", key, secret, wrong)
        assert code_of(lambda: s3.list_objects_v2(Bucket="skoot-athena-results")) == "InvalidToken"
        # They act as the user, whose policy still decides: Athena is not granted.
        athena = signed(iam_athena, "athena", key, secret, token)
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            athena.get_work_group(WorkGroup="skoot")
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert denied.value.response["Error"]["Message"].startswith(
            f"User: arn:aws:iam::{ACCOUNT}:user/skoot is not authorized to perform: athena:GetWorkGroup"
        )


def test_an_expired_temporary_key_is_refused_with_each_protocols_code(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(USER_POLICY) as keys:
        issued = signed(iam_athena, "sts", keys.access_key_id, keys.secret_access_key).get_session_token()
        key, secret, token = (issued["Credentials"][k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
        iam_athena.sts.expire(key)
        glue = signed(iam_athena, "glue", key, secret, token)
        assert code_of(glue.get_databases) == "ExpiredTokenException"
        s3 = signed(iam_athena, "s3", key, secret, token)
        assert code_of(lambda: s3.list_objects_v2(Bucket="skoot-athena-results")) == "ExpiredToken"
        assert code_of(signed(iam_athena, "sts", key, secret, token).get_caller_identity) == "ExpiredToken"
        # The long-term key is untouched.
        assert signed(iam_athena, "glue", keys.access_key_id, keys.secret_access_key).get_databases()["DatabaseList"]


def test_assume_role_checks_the_trust_policy_and_its_external_id(role: LocalAthena) -> None:
    with role.iam.enforce(USER_POLICY) as keys:
        sts = signed(role, "sts", keys.access_key_id, keys.secret_access_key)
        assert code_of(lambda: sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="skoot")) == "AccessDenied"
        wrong = lambda: sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="skoot", ExternalId="other")  # noqa: E731
        assert code_of(wrong) == "AccessDenied"
        issued = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="skoot", ExternalId=EXTERNAL_ID)["Credentials"]
        key, secret, token = issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
        assert signed(role, "glue", key, secret, token).get_databases()["DatabaseList"]
        assert code_of(lambda: signed(role, "glue", key, secret, token + "x").get_databases()) == (
            "UnrecognizedClientException"
        )


def test_role_sessions_expire_after_the_lifetime(role: LocalAthena) -> None:
    role.sts.lifetime_seconds = 0
    with role.iam.enforce(USER_POLICY) as keys:
        sts = signed(role, "sts", keys.access_key_id, keys.secret_access_key)
        issued = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="skoot", ExternalId=EXTERNAL_ID)["Credentials"]
        glue = signed(role, "glue", issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
        assert code_of(glue.get_databases) == "ExpiredTokenException"
