"""A results bucket in another Region than the workgroup, and Requester Pays data buckets, through the command line.

The stand-in answers S3 requests signed for the wrong Region as S3 does (``local_athena/bucket_regions.py``) and
refuses Requester Pays requests that do not accept the charges (``local_athena/requester_pays.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import discover
from integration_tests.connector import DEMO_CONFIG, TRACEBACK, Run, configured_catalog, run_connector
from local_athena import LocalAthena, moto_state
from local_athena.requester_pays import make_requester_pays

FAR = "eu-west-1"
FAR_BUCKET = "skoot-far-results"
PAYING_BUCKET = "skoot-requester-pays-data"
DATABASE = "paying_lake"
TABLE = "events"


@pytest.fixture(scope="module")
def ratings(local_athena: LocalAthena) -> dict[str, Any]:
    return configured_catalog(discover(local_athena, "entertainment"), streams=["ratings"])


def connector(athena: LocalAthena, verb: str, workgroup: str, **kwargs: Any) -> Run:
    config = {**DEMO_CONFIG, "workgroup": workgroup, **kwargs.pop("config", {})}
    run = run_connector(verb, athena.env(), config=config, **kwargs)
    assert TRACEBACK not in run.stdout + run.stderr, run.stderr[-3000:]
    return run


# --- (a) results bucket in another Region ----------------------------------------------------------------------
@pytest.fixture
def far_workgroup(athena_sandbox: LocalAthena) -> Iterator[str]:
    moto_state.ensure_bucket(FAR_BUCKET, FAR)  # kept for the session: S3 bucket names are global
    athena_sandbox.create_workgroup("skoot_far", output_location=f"s3://{FAR_BUCKET}/results/", enforce=True)
    yield "skoot_far"


@pytest.mark.parametrize("region", [FAR, "us-east-1"])  # us-east-1: GetBucketLocation answers no LocationConstraint
def test_check_names_a_results_bucket_in_another_region(athena_sandbox: LocalAthena, region: str) -> None:
    bucket = f"skoot-results-{region}"
    moto_state.ensure_bucket(bucket, region)
    athena_sandbox.create_workgroup("skoot_far", output_location=f"s3://{bucket}/results/", enforce=True)
    run = connector(athena_sandbox, "check", "skoot_far")
    assert run.connection_status["status"] == "SUCCEEDED", run.connection_status
    assert (
        f"The results bucket {bucket} of workgroup 'skoot_far' is in {region}, not in {athena_sandbox.region} (the "
        f"AWS Region field): results are read from {region}"
    ) in "\n".join(run.logs)
    assert athena_sandbox.bucket_regions is not None and not athena_sandbox.bucket_regions.misdirected


def test_check_says_nothing_of_a_results_bucket_in_the_workgroups_region(athena: LocalAthena) -> None:
    run = connector(athena, "check", "skoot")
    assert run.connection_status["status"] == "SUCCEEDED", run.connection_status
    assert athena.calls["s3:GetBucketLocation"] >= 1
    assert not [line for line in run.logs if "The results bucket" in line]


def test_read_takes_results_from_the_buckets_region_without_a_redirect(
    athena: LocalAthena, far_workgroup: str, ratings: dict[str, Any]
) -> None:
    plain = connector(athena, "read", "skoot", catalog=ratings).rows("ratings")
    athena.reset_observations()
    run = connector(athena, "read", far_workgroup, catalog=ratings)
    assert run.returncode == 0 and not run.errors, run.errors
    assert sorted(map(str, run.rows("ratings"))) == sorted(map(str, plain)) and plain
    assert [q.kind for q in athena.queries] == ["UNLOAD"]
    assert athena.calls["s3:GetObject"] >= 1 and athena.calls["s3:GetBucketLocation"] == 1
    assert athena.bucket_regions is not None and not athena.bucket_regions.misdirected, "signed for its Region"


# --- (b) Requester Pays data buckets -----------------------------------------------------------------------------
@pytest.fixture
def paying_table(athena_sandbox: LocalAthena) -> Iterator[dict[str, Any]]:
    make_requester_pays(PAYING_BUCKET, athena_sandbox.region)
    days = [f"2024-05-0{d}" for d in (1, 2, 3) for _ in range(4)]
    data = pa.table({"id": pa.array(range(len(days)), pa.int64()), "dt": pa.array(days)})
    athena_sandbox.put_table(DATABASE, TABLE, data, partition_keys=["dt"], bucket=PAYING_BUCKET)
    athena_sandbox.create_workgroup(
        "skoot_pays", output_location="s3://skoot-athena-results/", enforce=True, requester_pays=True
    )
    catalog = configured_catalog(discover(athena_sandbox, DATABASE), streams=[TABLE])
    athena_sandbox.reset_observations()
    yield catalog


def test_requester_pays_bucket_is_read_in_a_workgroup_that_accepts_the_charges(
    athena: LocalAthena, paying_table: dict[str, Any]
) -> None:
    run = connector(athena, "read", "skoot_pays", catalog=paying_table, config={"databases": [DATABASE]})
    assert run.returncode == 0 and not run.errors, run.errors
    assert sorted(r["id"] for r in run.rows(TABLE)) == list(range(12))
    assert athena.requester_pays is not None
    assert athena.requester_pays.charged["s3:ListObjectsV2"] >= 1, "the partition listing accepted the charges"
    assert not athena.requester_pays.refused
    assert not [line for line in run.logs if "Could not list the data files" in line]


def test_requester_pays_bucket_in_a_workgroup_without_the_setting_is_reported(
    athena: LocalAthena, paying_table: dict[str, Any]
) -> None:
    run = connector(athena, "read", "skoot", catalog=paying_table, config={"databases": [DATABASE]})
    assert run.errors, "Athena refuses the query"
    message = run.errors[0]["message"]
    assert f"Permission denied on S3 path: s3://{PAYING_BUCKET}/{DATABASE}/{TABLE}/" in message
    assert message.endswith(
        "If it is a Requester Pays bucket, also turn on 'Requester pays S3 buckets' in the workgroup's settings."
    )
    warning = next(line for line in run.logs if "Could not list the data files" in line)
    assert "if the data bucket is a Requester Pays bucket, turn on 'Requester pays S3 buckets' in the workgroup" in (
        warning
    )
    assert athena.requester_pays is not None and athena.requester_pays.refused["s3:ListObjectsV2"] >= 1
    assert not athena.requester_pays.charged, "no charges are accepted without the workgroup's consent"
