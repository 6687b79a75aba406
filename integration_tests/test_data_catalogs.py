"""README "Catalog": a data catalog other than AwsDataCatalog, resolved with athena:GetDataCatalog, through the CLI.

A GLUE catalog of another account is discovered from that account's Glue (every Glue call carries its CatalogId,
``local_athena/data_catalogs.py`` answers from that account); a LAMBDA catalog, or one that does not exist, fails
check with a message naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from integration_tests.connector import DEMO_CONFIG, TRACEBACK, Run, run_connector
from local_athena import LocalAthena


def forget_data_catalog(athena: LocalAthena, name: str) -> None:
    """Drop a data catalog from moto's Athena (its DeleteDataCatalog handler fails with a 500 in moto 5.2.5)."""
    athena_backends[DEFAULT_ACCOUNT_ID][athena.region].data_catalogs.pop(name, None)


PARTNER = "111122223333"
COLUMNS = [{"Name": "order_id", "Type": "bigint"}, {"Name": "placed_at", "Type": "timestamp"}]


def run(athena: LocalAthena, verb: str, catalog: str) -> Run:
    result = run_connector(verb, athena.env(), config={**DEMO_CONFIG, "catalog": catalog})
    assert TRACEBACK not in result.stdout + result.stderr, result.stderr[-3000:]
    return result


@pytest.fixture
def partner(athena: LocalAthena) -> Iterator[str]:
    """Athena catalog 'partner_lake': the Glue Data Catalog of account 111122223333 with one table."""
    glue, client = athena.client("glue"), athena.client("athena")
    client.create_data_catalog(Name="partner_lake", Type="GLUE", Parameters={"catalog-id": PARTNER})
    glue.create_database(CatalogId=PARTNER, DatabaseInput={"Name": "partner_sales"})
    table: dict[str, Any] = {
        "Name": "orders",
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": COLUMNS, "Location": "s3://partner-lake/orders/"},
    }
    glue.create_table(CatalogId=PARTNER, DatabaseName="partner_sales", TableInput=table)
    try:
        yield "partner_lake"
    finally:
        glue.delete_table(CatalogId=PARTNER, DatabaseName="partner_sales", Name="orders")
        glue.delete_database(CatalogId=PARTNER, Name="partner_sales")
        forget_data_catalog(athena, "partner_lake")


def test_a_glue_catalog_of_another_account_is_discovered_from_that_account(athena: LocalAthena, partner: str) -> None:
    result = run(athena, "discover", partner)
    (catalog,) = [m["catalog"] for m in result.of_type("CATALOG")]
    streams = {(s["namespace"], s["name"]): s for s in catalog["streams"]}
    assert set(streams) == {("partner_sales", "orders")}  # not the caller's own 'entertainment' tables
    assert set(streams["partner_sales", "orders"]["json_schema"]["properties"]) == {"order_id", "placed_at"}
    assert athena.calls["athena:GetDataCatalog"] == 1


def test_a_lambda_catalog_is_refused_at_check_naming_its_type(athena: LocalAthena) -> None:
    client = athena.client("athena")
    function = "arn:aws:lambda:ap-south-1:123456789012:function:athena-dynamodb"
    client.create_data_catalog(Name="dynamo", Type="LAMBDA", Parameters={"function": function})
    try:
        status = run(athena, "check", "dynamo").connection_status
    finally:
        forget_data_catalog(athena, "dynamo")
    assert status["status"] == "FAILED"
    assert status["message"].startswith(
        "athena:GetDataCatalog: the Catalog 'dynamo' is a LAMBDA data catalog (a federated source, not AWS Glue tables)"
    )


def test_an_unknown_catalog_names_the_catalog_field(athena: LocalAthena) -> None:
    status = run(athena, "check", "no_such_catalog").connection_status
    assert status["status"] == "FAILED"
    assert status["message"].startswith(
        "athena:GetDataCatalog: the Catalog 'no_such_catalog' does not exist in ap-south-1 (InvalidRequestException)."
    )
