"""The stand-in's S3 bucket Regions and Requester Pays buckets (``local_athena/bucket_regions.py``,
``local_athena/requester_pays.py``): answered as S3 answers them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import botocore.exceptions
import pyarrow as pa
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_athena import LocalAthena, moto_state
from local_athena.requester_pays import make_requester_pays
from local_athena.testing import run

FAR = "eu-west-1"
FAR_BUCKET = "skoot-far-results"
PAYING_BUCKET = "skoot-requester-pays-data"
RESULTS = "s3://skoot-athena-results/regions/"


@pytest.fixture
def far_bucket(athena: LocalAthena) -> Iterator[str]:
    moto_state.ensure_bucket(FAR_BUCKET, FAR)  # kept for the session: S3 bucket names are global
    yield FAR_BUCKET


@pytest.fixture
def paying_bucket(athena: LocalAthena) -> Iterator[str]:
    make_requester_pays(PAYING_BUCKET, athena.region)  # kept for the session: S3 bucket names are global
    moto_state.put_object(PAYING_BUCKET, "t/part-0.csv", b"a\n")
    yield PAYING_BUCKET


def signed(athena: LocalAthena, method: str, path: str, region: str) -> urllib.request.Request:
    """A SigV4 request signed for ``region`` (botocore's redirect handling does not apply: raw HTTP)."""
    request = AWSRequest(method=method, url=athena.url + path, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials("testing", "testing"), "s3", region).add_auth(request)
    return urllib.request.Request(request.url, method=method, headers=dict(request.headers.items()))


def test_a_request_signed_for_another_region_is_refused_naming_the_buckets_region(
    athena: LocalAthena, far_bucket: str
) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(signed(athena, "GET", f"/{far_bucket}?list-type=2", athena.region))
    body = refused.value.read().decode()
    assert refused.value.code == 400 and refused.value.headers["x-amz-bucket-region"] == FAR
    assert "<Code>AuthorizationHeaderMalformed</Code>" in body and f"<Region>{FAR}</Region>" in body
    assert f"the region '{athena.region}' is wrong; expecting '{FAR}'" in body
    with pytest.raises(urllib.error.HTTPError) as head:
        urllib.request.urlopen(signed(athena, "HEAD", f"/{far_bucket}", athena.region))
    assert head.value.code == 400 and head.value.headers["x-amz-bucket-region"] == FAR
    assert athena.bucket_regions is not None
    assert athena.bucket_regions.misdirected == {"s3:ListObjectsV2": 1, "s3:HeadBucket": 1}


def test_the_buckets_own_region_and_get_bucket_location_are_answered(athena: LocalAthena, far_bucket: str) -> None:
    with urllib.request.urlopen(signed(athena, "GET", f"/{far_bucket}?list-type=2", FAR)) as listed:
        assert listed.status == 200
    location = athena.client("s3").get_bucket_location(Bucket=far_bucket)
    assert location["LocationConstraint"] == FAR


def test_botocore_follows_the_answer_to_the_buckets_region(athena: LocalAthena, far_bucket: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=athena.url,
        region_name=athena.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.put_object(Bucket=far_bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=far_bucket, Key="k")["Body"].read() == b"x"
    assert athena.bucket_regions is not None and athena.bucket_regions.misdirected["s3:PutObject"] == 1


def test_requester_pays_bucket_refuses_requests_that_do_not_accept_the_charges(
    athena: LocalAthena, paying_bucket: str
) -> None:
    s3 = athena.client("s3")
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        s3.list_objects_v2(Bucket=paying_bucket)
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    listed = s3.list_objects_v2(Bucket=paying_bucket, RequestPayer="requester")
    assert [item["Key"] for item in listed["Contents"]] == ["t/part-0.csv"]
    body = s3.get_object(Bucket=paying_bucket, Key="t/part-0.csv", RequestPayer="requester")["Body"].read()
    assert body == b"a\n"
    assert athena.requester_pays is not None
    assert athena.requester_pays.refused["s3:ListObjectsV2"] == 1
    assert athena.requester_pays.charged == {"s3:ListObjectsV2": 1, "s3:GetObject": 1}


def test_other_buckets_ignore_the_request_payer_header(athena: LocalAthena) -> None:
    s3 = athena.client("s3")
    assert s3.list_objects_v2(Bucket="skoot-athena-results", RequestPayer="requester", MaxKeys=1)
    assert athena.requester_pays is not None and not athena.requester_pays.refused


def test_athena_reads_a_requester_pays_table_only_in_a_workgroup_that_accepts_the_charges(
    athena_sandbox: LocalAthena,
) -> None:
    make_requester_pays(PAYING_BUCKET, athena_sandbox.region)
    athena_sandbox.put_table("paying_db", "shared", pa.table({"x": [1, 2]}), bucket=PAYING_BUCKET)
    athena_sandbox.create_workgroup("skoot_pays", output_location=RESULTS, enforce=True, requester_pays=True)
    athena_sandbox.create_workgroup("skoot_no_pay", output_location=RESULTS, enforce=True)
    client = athena_sandbox.client("athena")
    refused = run(client, "SELECT sum(x) AS s FROM paying_db.shared", workgroup="skoot_no_pay")
    assert refused["Status"]["State"] == "FAILED"
    assert "Permission denied on S3 path: s3://skoot-requester-pays-data/" in refused["Status"]["StateChangeReason"]
    paid = run(client, "SELECT sum(x) AS s FROM paying_db.shared", workgroup="skoot_pays")
    assert paid["Status"]["State"] == "SUCCEEDED", paid["Status"]
    rows = client.get_query_results(QueryExecutionId=paid["QueryExecutionId"])["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "3"
    configuration = client.get_work_group(WorkGroup="skoot_pays")["WorkGroup"]["Configuration"]
    assert configuration["RequesterPaysEnabled"] is True


def test_athena_writes_results_to_a_bucket_in_another_region(athena_sandbox: LocalAthena, far_bucket: str) -> None:
    athena_sandbox.create_workgroup("skoot_far", output_location=f"s3://{far_bucket}/out/", enforce=True)
    done = run(athena_sandbox.client("athena"), "SELECT 1 AS one", workgroup="skoot_far")
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    location = done["ResultConfiguration"]["OutputLocation"]
    assert location.startswith(f"s3://{far_bucket}/out/")
    assert moto_state.s3_backend().buckets[far_bucket].region_name == FAR
