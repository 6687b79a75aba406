"""The stand-in's workgroup result encryption (``local_athena/encryption.py``): files stored as AWS stores them."""

from __future__ import annotations

import io
from typing import Any

import botocore.exceptions
import pyarrow.parquet as pq
import pytest

from local_athena import LocalAthena
from local_athena.testing import run

RESULTS = "s3://skoot-athena-results/encrypted/"
KEY_ARN = "arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def workgroup(athena: LocalAthena, option: str) -> str:
    name = f"skoot_{option.lower()}"
    encryption = {"EncryptionOption": option, **({"KmsKey": KEY_ARN} if option != "SSE_S3" else {})}
    athena.create_workgroup(name, output_location=RESULTS, enforce=True, encryption=encryption)
    return name


def result_object(athena: LocalAthena, query_id: str) -> tuple[bytes, dict[str, Any]]:
    """The result CSV's stored bytes and GetObject's answer."""
    response = athena.client("s3").get_object(Bucket="skoot-athena-results", Key=f"encrypted/{query_id}.csv")
    return bytes(response["Body"].read()), dict(response)


def test_cse_kms_results_are_ciphertext_with_the_encryption_clients_envelope(athena_sandbox: LocalAthena) -> None:
    client = athena_sandbox.client("athena")
    done = run(client, "SELECT 'visible-text' AS v", workgroup=workgroup(athena_sandbox, "CSE_KMS"))
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    qid = done["QueryExecutionId"]
    body, stored = result_object(athena_sandbox, qid)
    assert b"visible-text" not in body and not body.startswith(b'"v"')
    metadata = stored["Metadata"]
    assert metadata["x-amz-cek-alg"] == "AES/GCM/NoPadding" and metadata["x-amz-wrap-alg"] == "kms+context"
    assert metadata["x-amz-key-v2"] and KEY_ARN in metadata["x-amz-matdesc"]
    # GetQueryResults still returns the rows (Athena decrypts them for the caller).
    rows = client.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "visible-text"


def test_cse_kms_unload_files_are_not_parquet(athena_sandbox: LocalAthena) -> None:
    client = athena_sandbox.client("athena")
    target = "s3://skoot-athena-results/encrypted/unload-cse/"
    sql = f"UNLOAD (SELECT 1 AS x) TO '{target}' WITH (format = 'PARQUET')"
    done = run(client, sql, workgroup=workgroup(athena_sandbox, "CSE_KMS"))
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    listed = athena_sandbox.client("s3").list_objects_v2(Bucket="skoot-athena-results", Prefix="encrypted/unload-cse/")
    (key,) = [item["Key"] for item in listed["Contents"]]
    body = athena_sandbox.client("s3").get_object(Bucket="skoot-athena-results", Key=key)["Body"].read()
    with pytest.raises(Exception, match="Parquet"):
        pq.read_table(io.BytesIO(body))


@pytest.mark.parametrize(("option", "algorithm"), [("SSE_S3", "AES256"), ("SSE_KMS", "aws:kms")])
def test_sse_results_read_back_as_plaintext_with_sse_headers(
    athena_sandbox: LocalAthena, option: str, algorithm: str
) -> None:
    client = athena_sandbox.client("athena")
    done = run(client, "SELECT 'visible-text' AS v", workgroup=workgroup(athena_sandbox, option))
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    qid = done["QueryExecutionId"]
    body, stored = result_object(athena_sandbox, qid)
    assert body == b'"v"\n"visible-text"\n'
    assert stored["ServerSideEncryption"] == algorithm
    if option == "SSE_KMS":
        assert stored["SSEKMSKeyId"] == KEY_ARN


def test_sse_kms_objects_need_kms_decrypt_to_get_but_not_to_head(iam_athena: LocalAthena) -> None:
    s3 = iam_athena.client("s3")
    s3.put_object(
        Bucket="skoot-athena-results", Key="kms/x.csv", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_ARN
    )
    read_objects = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::skoot-athena-results/*"}
    decrypt = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}

    def user(keys: Any) -> Any:
        return iam_athena.client("s3", keys=keys)

    with iam_athena.iam.enforce({"Version": "2012-10-17", "Statement": [read_objects]}) as keys:
        assert user(keys).head_object(Bucket="skoot-athena-results", Key="kms/x.csv")["SSEKMSKeyId"] == KEY_ARN
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            user(keys).get_object(Bucket="skoot-athena-results", Key="kms/x.csv")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert f"is not authorized to perform: kms:Decrypt on resource: {KEY_ARN}" in str(denied.value)
    with iam_athena.iam.enforce({"Version": "2012-10-17", "Statement": [read_objects, decrypt]}) as keys:
        assert user(keys).get_object(Bucket="skoot-athena-results", Key="kms/x.csv")["Body"].read() == b"x"
    s3.delete_object(Bucket="skoot-athena-results", Key="kms/x.csv")


@pytest.mark.parametrize(("owner", "allowed"), [("123456789012", True), ("999999999999", False)])
def test_s3_refuses_an_expected_bucket_owner_that_is_not_the_owner(
    athena: LocalAthena, owner: str, allowed: bool
) -> None:
    """bucket_owner.py: S3's bucket owner condition (every stand-in bucket is the stand-in account's)."""
    assert athena.bucket_owner is not None
    before = athena.bucket_owner.checked["s3:ListObjectsV2"]
    s3 = athena.client("s3")
    if allowed:
        s3.list_objects_v2(Bucket="skoot-athena-results", ExpectedBucketOwner=owner, MaxKeys=1)
    else:
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            s3.list_objects_v2(Bucket="skoot-athena-results", ExpectedBucketOwner=owner, MaxKeys=1)
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert athena.bucket_owner.checked["s3:ListObjectsV2"] == before + 1
