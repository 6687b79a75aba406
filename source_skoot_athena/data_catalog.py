"""The form's Catalog resolved to where its metadata lives: Glue in this account, Glue in another, or neither.

Why: Athena queries name the catalog, but the connector discovers and plans through Glue, whose calls default to
the caller's own account. A catalog other than AwsDataCatalog is described by athena:GetDataCatalog
(https://docs.aws.amazon.com/athena/latest/APIReference/API_DataCatalog.html): type GLUE with Parameters
``catalog-id`` (another account's Glue Data Catalog: every Glue call then carries ``CatalogId``), or LAMBDA, HIVE
or FEDERATED (a federated source without Glue tables, which this connector does not read: refused at check, naming
the type). AwsDataCatalog is never looked up: GetDataCatalog does not describe it (InvalidRequestException
"DataCatalog AwsDataCatalog was not found", quoted in mondoohq/mql#10109).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from source_skoot_athena.errors import AwsCallError

DEFAULT_CATALOG = "AwsDataCatalog"
GET_DATA_CATALOG_GRANT = (
    "an optional statement allowing athena:GetDataCatalog on arn:aws:athena:<region>:<account>:datacatalog/<Catalog> "
    "(README Permissions)"
)


@dataclass(frozen=True)
class GlueCatalog:
    """Where the catalog's Glue metadata is: ``catalog_id`` None means the caller's own account."""

    name: str
    catalog_id: str | None


def glue_catalog_of(name: str, data_catalog: dict[str, Any]) -> GlueCatalog:
    """GetDataCatalog's ``DataCatalog`` -> the Glue catalog to read, or an AwsCallError naming an unreadable type."""
    kind = str(data_catalog.get("Type", ""))
    if kind != "GLUE":
        raise AwsCallError(
            f"athena:GetDataCatalog: the Catalog '{name}' is a {kind or 'non-Glue'} data catalog (a federated source, "
            "not AWS Glue tables), which this connector cannot discover or read. Set Catalog to AwsDataCatalog or to "
            "a GLUE data catalog (for example another account's Glue Data Catalog registered in Athena)."
        )
    parameters = data_catalog.get("Parameters") or {}
    catalog_id = parameters.get("catalog-id")
    return GlueCatalog(name, str(catalog_id) if catalog_id else None)


def not_found(name: str, region: str) -> AwsCallError:
    return AwsCallError(
        f"athena:GetDataCatalog: the Catalog '{name}' does not exist in {region} (InvalidRequestException). Fix the "
        "Catalog field: AwsDataCatalog (your account's Glue Data Catalog) or a data catalog listed in the Athena "
        "console under Data sources.",
        code="InvalidRequestException",
    )


def add_catalog_id(catalog_id: str) -> Any:
    """A botocore ``provide-client-params`` handler: every Glue call that takes a CatalogId gets this one."""

    def handler(params: dict[str, Any], model: Any, **_: Any) -> None:
        if "CatalogId" in model.input_shape.members and "CatalogId" not in params:
            params["CatalogId"] = catalog_id

    return handler
