"""The stand-in's S3 bucket Regions and Requester Pays buckets (``local_athena/bucket_regions.py``,
``local_athena/requester_pays.py``): answered as S3 answers them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import botocore.exceptions
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_athena import LocalAthena, moto_state
from local_athena.requester_pays import make_requester_pays

FAR = "eu-west-1"
FAR_BUCKET = "skoot-far-results"
PAYING_BUCKET = "skoot-requester-pays-data"


@pytest.fixture
def far_bucket(athena: LocalAthena) -> Iterator[str]:
    moto_state.ensure_bucket(FAR_BUCKET, FAR)  # kept for the session: S3 bucket names are global
    yield FAR_BUCKET


@pytest.fixture
def paying_bucket(athena: LocalAthena) -> Iterator[str]:
    s3 = athena.client("s3")
    moto_state.ensure_bucket(PAYING_BUCKET, athena.region)
    s3.put_object(Bucket=PAYING_BUCKET, Key="t/part-0.csv", Body=b"a\n")
    make_requester_pays(PAYING_BUCKET, athena.region)
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
