"""The ARNs AWS authorizes Glue and Athena requests against.

Why: the request check (``iam.py``), the query's table resolution (``caller_permissions.py``, which checks the
caller's Glue permissions on every table a query resolves) and information_schema (which lists only what the caller
may see) need the same ARNs; keeping them here lets the engine side use them without importing the request
machinery. Glue: an operation on a Data Catalog resource needs permission on the resource and all its
ancestors (https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html); Athena:
https://docs.aws.amazon.com/athena/latest/ug/workgroups-access.html.
"""

from __future__ import annotations

from typing import Any


def glue_arns(region: str, account: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Catalog, database and table ARNs an operation needs (the resource and all its ancestors)."""
    prefix = f"arn:aws:glue:{region}:{account}"
    arns = [f"{prefix}:catalog"]
    database = params.get("DatabaseName")
    if database is None and operation.endswith(("Database", "Databases")) and operation != "GetDatabases":
        database = params.get("Name") or (params.get("DatabaseInput") or {}).get("Name")
    if database:
        arns.append(f"{prefix}:database/{database}")
        table = params.get("TableName")
        if table is None and operation in ("GetTable", "DeleteTable", "GetTableVersions", "GetTableVersion"):
            table = params.get("Name")
        if table is None:
            table = (params.get("TableInput") or {}).get("Name")
        if table:
            arns.append(f"{prefix}:table/{database}/{table}")
    return arns


def glue_database_arn(region: str, account: str, database: str) -> str:
    """``arn:aws:glue:<region>:<account>:database/<name>``."""
    return f"arn:aws:glue:{region}:{account}:database/{database}"


def glue_table_arns(region: str, account: str, database: str, table: str) -> list[str]:
    """Catalog, database and table ARNs of one table (what reading it needs)."""
    prefix = f"arn:aws:glue:{region}:{account}"
    return [f"{prefix}:catalog", f"{prefix}:database/{database}", f"{prefix}:table/{database}/{table}"]


def athena_workgroup_arn(region: str, account: str, workgroup: str) -> str:
    """``arn:aws:athena:<region>:<account>:workgroup/<name>``."""
    return f"arn:aws:athena:{region}:{account}:workgroup/{workgroup}"
