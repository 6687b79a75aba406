"""README "Permissions", Lake Formation: a governed table's refusal names lakeformation:GetDataAccess and the Lake
Formation grant (not the S3 statements the user already has); once granted, the stream reads. Through the CLI,
the stand-in enforcing IAM and Lake Formation (``local_athena/lake_formation.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integration_tests.claim_runs import discover
from integration_tests.connector import DEMO_CONFIG, TRACEBACK, Run, configured_catalog, run_connector
from local_athena import LocalAthena
from local_athena.demo_lake import expected_rows

GUIDE: dict[str, Any] = json.loads((Path(__file__).parent / "setup_guide_policies" / "scope_a.json").read_text())
GET_DATA_ACCESS = {"Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"}


@pytest.fixture(scope="module")
def ratings(local_athena: LocalAthena) -> dict[str, Any]:
    return configured_catalog(discover(local_athena, "entertainment"), streams=["ratings"])


@pytest.fixture
def governed(iam_athena: LocalAthena) -> Iterator[LocalAthena]:
    iam_athena.lake_formation.register("s3://skoot-data-demo/entertainment/ratings")
    try:
        yield iam_athena
    finally:
        iam_athena.lake_formation.clear()


def read_as_user(athena: LocalAthena, policy: dict[str, Any], catalog: dict[str, Any]) -> Run:
    with athena.iam.enforce(policy) as keys:
        config = {**DEMO_CONFIG, "access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
        result = run_connector("read", athena.env(), config=config, catalog=catalog)
    assert TRACEBACK not in result.stdout + result.stderr, result.stderr[-3000:]
    return result


def error_text(result: Run) -> str:
    return " ".join(str(error.get("message", "")) for error in result.errors)


def test_without_get_data_access_the_error_names_it_and_the_grant(governed: LocalAthena, ratings: Any) -> None:
    text = error_text(read_as_user(governed, GUIDE, ratings))
    assert "The table's data is governed by Lake Formation: the Skoot identity needs an optional statement" in text
    assert "lakeformation:GetDataAccess on Resource *" in text and "Lake Formation SELECT grant on the table" in text
    assert "SkootUnderlyingDataS3" not in text


def test_without_a_grant_the_error_names_the_lake_formation_grant(governed: LocalAthena, ratings: Any) -> None:
    policy = {**GUIDE, "Statement": [*GUIDE["Statement"], GET_DATA_ACCESS]}
    text = error_text(read_as_user(governed, policy, ratings))
    assert "grant the Skoot identity SELECT on ratings in Lake Formation" in text
    assert "SkootUnderlyingDataS3" not in text


def test_once_granted_the_governed_stream_reads(governed: LocalAthena, ratings: Any) -> None:
    governed.lake_formation.grant_select("arn:aws:iam::123456789012:user/skoot", "entertainment", "ratings")
    policy = {**GUIDE, "Statement": [*GUIDE["Statement"], GET_DATA_ACCESS]}
    result = read_as_user(governed, policy, ratings)
    assert not result.errors and len(result.rows("ratings")) == len(expected_rows("ratings"))


# --- resource links ------------------------------------------------------------------------------------------------
@pytest.fixture
def links(athena_sandbox: LocalAthena) -> LocalAthena:
    """Database shared_links with resource links to the demo's ratings and (partitioned) movies."""
    glue = athena_sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "shared_links"})
    for name in ("ratings", "movies"):
        target = {"CatalogId": "123456789012", "DatabaseName": "entertainment", "Name": name}
        glue.create_table(DatabaseName="shared_links", TableInput={"Name": f"{name}_link", "TargetTable": target})
    return athena_sandbox


def test_resource_links_are_streams_with_their_targets_columns_and_rows(links: LocalAthena) -> None:
    discovered = discover(links, "shared_links")
    streams = {s["name"]: s for s in discovered["streams"]}
    assert set(streams) == {"ratings_link", "movies_link"}
    originals = {s["name"]: s for s in discover(links, "entertainment")["streams"]}
    for name in ("ratings", "movies"):
        link_columns = set(streams[f"{name}_link"]["json_schema"]["properties"])
        assert link_columns == set(originals[name]["json_schema"]["properties"]) and link_columns
    catalog = configured_catalog(discovered, streams=["ratings_link", "movies_link"])
    result = run_connector("read", links.env(), config=DEMO_CONFIG, catalog=catalog)
    assert TRACEBACK not in result.stdout + result.stderr and not result.errors, result.stderr[-3000:]
    # movies is partitioned: its link has no partitions of its own in Glue, and still every row arrives.
    assert len(result.rows("movies_link")) == len(expected_rows("movies"))
    assert len(result.rows("ratings_link")) == len(expected_rows("ratings"))
