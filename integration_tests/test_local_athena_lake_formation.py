"""The stand-in's Lake Formation (``local_athena/lake_formation.py``): governed tables are read as AWS allows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_athena import LocalAthena
from local_athena.testing import run

GUIDE: dict[str, Any] = json.loads((Path(__file__).parent / "setup_guide_policies" / "scope_a.json").read_text())
GET_DATA_ACCESS = {"Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"}
USER = "arn:aws:iam::123456789012:user/skoot"
SQL = "SELECT count(*) FROM entertainment.ratings"


@pytest.fixture
def governed(iam_athena: LocalAthena) -> Iterator[LocalAthena]:
    iam_athena.lake_formation.register("s3://skoot-data-demo/entertainment/ratings")
    try:
        yield iam_athena
    finally:
        iam_athena.lake_formation.clear()


def query_as_user(athena: LocalAthena, policy: dict[str, Any]) -> dict[str, Any]:
    with athena.iam.enforce(policy) as keys:
        client = athena.client("athena", keys=keys)
        return run(client, SQL)["Status"]


def with_statements(*extra: dict[str, Any], drop: str | None = None) -> dict[str, Any]:
    statements = [s for s in GUIDE["Statement"] if s["Sid"] != drop]
    return {**GUIDE, "Statement": [*statements, *extra]}


def test_a_governed_table_needs_get_data_access(governed: LocalAthena) -> None:
    status = query_as_user(governed, GUIDE)
    assert status["State"] == "FAILED"
    assert "is not authorized to perform: lakeformation:GetDataAccess" in status["StateChangeReason"]


def test_a_governed_table_needs_a_lake_formation_grant(governed: LocalAthena) -> None:
    status = query_as_user(governed, with_statements(GET_DATA_ACCESS))
    assert status["State"] == "FAILED"
    assert "Insufficient Lake Formation permission(s) on ratings" in status["StateChangeReason"]


def test_granted_lake_formation_data_is_read_without_the_callers_s3_grants(governed: LocalAthena) -> None:
    governed.lake_formation.grant_select(USER, "entertainment", "ratings")
    status = query_as_user(governed, with_statements(GET_DATA_ACCESS, drop="SkootUnderlyingDataS3"))
    assert status["State"] == "SUCCEEDED", status


def test_ungoverned_tables_still_need_s3(iam_athena: LocalAthena) -> None:
    status = query_as_user(iam_athena, with_statements(GET_DATA_ACCESS, drop="SkootUnderlyingDataS3"))
    assert status["State"] == "FAILED" and "Permission denied on S3 path" in status["StateChangeReason"]


def test_a_resource_link_is_queried_as_its_target(athena_sandbox: LocalAthena) -> None:
    glue = athena_sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "shared_links"})
    target = {"CatalogId": "123456789012", "DatabaseName": "entertainment", "Name": "ratings"}
    glue.create_table(DatabaseName="shared_links", TableInput={"Name": "ratings_link", "TargetTable": target})
    assert "StorageDescriptor" not in glue.get_table(DatabaseName="shared_links", Name="ratings_link")["Table"]
    client = athena_sandbox.client("athena")
    done = run(client, "SELECT count(*) FROM shared_links.ratings_link")
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    rows = client.get_query_results(QueryExecutionId=done["QueryExecutionId"])["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "500"
