"""Glue resource links followed to the table they stand for, so a linked table is a stream with real columns.

Why: a resource link (Lake Formation sharing, often across accounts) is a Glue table whose ``TargetTable`` names
the real one (CatalogId, DatabaseName, Name) and which has no StorageDescriptor of its own
(https://docs.aws.amazon.com/lake-formation/latest/dg/resource-links-about.html); Athena queries the link as if
it were the target. Read as-is it would be a stream without columns. The link keeps its own database and name (the
stream, and the name queries use); columns and format come from the target, read with glue:GetTable (with the
target's CatalogId). The target's partition keys become plain columns and the table is read in one query: the
link has no partitions of its own in Glue, and slicing by the link's (empty) partition list would read nothing.
"""

from __future__ import annotations

from typing import Any

from source_skoot_athena.aws import aws_call


def followed(glue: Any, table: dict[str, Any]) -> dict[str, Any]:
    """``table`` itself, or for a resource link the target's description under the link's database and name."""
    target = table.get("TargetTable")
    if not target:
        return table
    params = {"DatabaseName": str(target["DatabaseName"]), "Name": str(target["Name"])}
    if target.get("CatalogId"):
        params["CatalogId"] = str(target["CatalogId"])
    link = f"{table.get('DatabaseName', '')}.{table.get('Name', '')}"
    with aws_call("glue:GetTable", what=f"table {params['DatabaseName']}.{params['Name']} (target of link {link})"):
        resolved = dict(glue.get_table(**params)["Table"])
    storage = dict(resolved.get("StorageDescriptor") or {})
    storage["Columns"] = [*(storage.get("Columns") or []), *(resolved.get("PartitionKeys") or [])]
    return {
        **resolved,
        "Name": table.get("Name"),
        "DatabaseName": table.get("DatabaseName"),
        "StorageDescriptor": storage,
        "PartitionKeys": [],
    }
