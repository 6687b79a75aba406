"""Athena data catalogs and Glue's CatalogId, as AWS answers them, on top of moto.

Why: the form's Catalog may name a data catalog other than AwsDataCatalog: a GLUE catalog of another account
(``Parameters: {"catalog-id": "<account>"}``) or a LAMBDA/HIVE/FEDERATED one
(https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateDataCatalog.html). The connector resolves it with
GetDataCatalog and sends the account as Glue's ``CatalogId``. moto 5.2.5 answers GetDataCatalog for a name it does
not hold with ``{"DataCatalog": null}`` and ignores ``CatalogId`` (every Glue call reads the caller's account).
This module makes both behave as AWS does:

* GetDataCatalog of a catalog that does not exist, AwsDataCatalog included (which AWS does not describe), is
  ``InvalidRequestException: DataCatalog <name> was not found.`` (observed answers quoted in mondoohq/mql#10109 and
  quiltdata/quilt#4335).
* A Glue request with ``CatalogId`` reads and writes that account's Glue Data Catalog ("If none is provided, the AWS
  account ID is used by default", https://docs.aws.amazon.com/glue/latest/webapi/API_GetTables.html).
  Not modelled: the other account's Glue resource policy, and Athena queries against another account's catalog.
"""

from __future__ import annotations

import json

from moto.athena.responses import AthenaResponse
from moto.glue.models import GlueBackend, glue_backends
from moto.glue.responses import GlueResponse

from . import moto_patching
from .iam import AwsJsonError


def get_data_catalog(response: AthenaResponse) -> str:
    """GetDataCatalog: the catalog, or AWS's InvalidRequestException for an unknown (or the built-in) one."""
    name = str(response._get_param("Name"))
    catalog = response.athena_backend.get_data_catalog(name)
    if catalog is None:
        raise AwsJsonError("InvalidRequestException", f"DataCatalog {name} was not found.")
    return json.dumps({"DataCatalog": catalog})


def _catalog_id(response: GlueResponse) -> str | None:
    body = response.raw_body or b""
    try:
        params = json.loads(body.decode() if isinstance(body, bytes) else body) if body else {}
    except ValueError:
        return None
    value = params.get("CatalogId") if isinstance(params, dict) else None
    return str(value) if value else None


def _glue_backend(response: GlueResponse) -> GlueBackend:
    """The Glue Data Catalog of the request's CatalogId, else of the caller's account."""
    account = _catalog_id(response) or response.current_account
    return glue_backends[account][response.region]


def apply() -> None:
    moto_patching.replace(AthenaResponse, "get_data_catalog", get_data_catalog)
    moto_patching.replace(GlueResponse, "glue_backend", property(_glue_backend))


def remove() -> None:
    moto_patching.remove(AthenaResponse, ("get_data_catalog",))
    moto_patching.remove(GlueResponse, ("glue_backend",))
