"""The stand-in's data catalogs (``local_athena/data_catalogs.py``): GetDataCatalog and Glue's CatalogId as AWS."""

from __future__ import annotations

from collections.abc import Iterator

import botocore.exceptions
import pytest
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from local_athena import LocalAthena


def forget_data_catalog(athena: LocalAthena, name: str) -> None:
    """Drop a data catalog from moto's Athena (its DeleteDataCatalog handler fails with a 500 in moto 5.2.5)."""
    athena_backends[DEFAULT_ACCOUNT_ID][athena.region].data_catalogs.pop(name, None)


PARTNER = "111122223333"


@pytest.fixture
def partner_glue(athena: LocalAthena) -> Iterator[LocalAthena]:
    glue = athena.client("glue")
    glue.create_database(CatalogId=PARTNER, DatabaseInput={"Name": "partner_only"})
    try:
        yield athena
    finally:
        glue.delete_database(CatalogId=PARTNER, Name="partner_only")


@pytest.mark.parametrize("name", ["AwsDataCatalog", "no_such_catalog"])
def test_get_data_catalog_of_an_unknown_or_the_builtin_catalog_is_invalid_request(
    athena: LocalAthena, name: str
) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        athena.client("athena").get_data_catalog(Name=name)
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert raised.value.response["Error"]["Message"] == f"DataCatalog {name} was not found."


def test_get_data_catalog_describes_a_registered_catalog(athena: LocalAthena) -> None:
    client = athena.client("athena")
    client.create_data_catalog(Name="partner_stand_in", Type="GLUE", Parameters={"catalog-id": PARTNER})
    try:
        described = client.get_data_catalog(Name="partner_stand_in")["DataCatalog"]
    finally:
        forget_data_catalog(athena, "partner_stand_in")
    assert (described["Type"], described["Parameters"]) == ("GLUE", {"catalog-id": PARTNER})


def test_glue_calls_with_a_catalog_id_read_that_accounts_catalog(partner_glue: LocalAthena) -> None:
    glue = partner_glue.client("glue")
    partner = {db["Name"] for db in glue.get_databases(CatalogId=PARTNER)["DatabaseList"]}
    own = {db["Name"] for db in glue.get_databases()["DatabaseList"]}
    assert "partner_only" in partner and "entertainment" not in partner
    assert "entertainment" in own and "partner_only" not in own
