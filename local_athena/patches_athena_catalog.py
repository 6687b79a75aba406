"""Athena's own catalog APIs (ListDatabases, GetDatabase, ListTableMetadata, GetTableMetadata) served from Glue.

Why: moto answers them from a separate Athena-only database list (just ``default``); real Athena reads the
Glue Data Catalog, so clients that discover through Athena must see the same tables as through Glue.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from moto.athena.responses import AthenaResponse

from . import moto_patching, moto_state

Reply = str | tuple[str, dict[str, int]]
PATCHED = ("get_database", "list_databases")
ADDED = ("get_table_metadata", "list_table_metadata")


def _metadata_error(message: str) -> tuple[str, dict[str, int]]:
    return json.dumps({"__type": "MetadataException", "Message": message}), {"status": 400}


def _page(self: AthenaResponse, items: list[Any]) -> tuple[list[Any], str | None]:
    limit = min(int(self._get_param("MaxResults") or 50), 50)
    token = self._get_param("NextToken")
    start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    end = start + limit
    return items[start:end], (base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None)


def _glue(self: AthenaResponse) -> Any:
    return moto_state.glue_backend(self.region, self.current_account)


def _database_dict(db: Any) -> dict[str, Any]:
    d = db.as_dict()
    return {"Name": d["Name"], "Description": d.get("Description", ""), "Parameters": d.get("Parameters") or {}}


def list_databases(self: AthenaResponse) -> Reply:
    """Glue databases of the catalog, paged (MaxResults ≤ 50)."""
    dbs = sorted(_glue(self).databases.values(), key=lambda d: d.name)
    page, token = _page(self, dbs)
    out: dict[str, Any] = {"DatabaseList": [_database_dict(d) for d in page]}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def get_database(self: AthenaResponse) -> Reply:
    """One Glue database, or MetadataException."""
    name = self._get_param("DatabaseName")
    db = _glue(self).databases.get(name)
    if db is None:
        return _metadata_error(f"Database {name} not found.")
    return json.dumps({"Database": _database_dict(db)})


def _columns(cols: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: c[k] for k in ("Name", "Type", "Comment") if k in c} for c in cols]


def _table_metadata(table: Any) -> dict[str, Any]:
    d = table.as_dict()
    sd = d.get("StorageDescriptor") or {}
    return {
        "Name": d["Name"],
        "CreateTime": d["CreateTime"].timestamp() if hasattr(d["CreateTime"], "timestamp") else d["CreateTime"],
        "TableType": d.get("TableType", "EXTERNAL_TABLE"),
        "Columns": _columns(sd.get("Columns", [])),
        "PartitionKeys": _columns(d.get("PartitionKeys") or []),
        "Parameters": {**(d.get("Parameters") or {}), "location": sd.get("Location", "")},
    }


def list_table_metadata(self: AthenaResponse) -> Reply:
    """Tables of a Glue database, paged (MaxResults ≤ 50)."""
    name = self._get_param("DatabaseName")
    db = _glue(self).databases.get(name)
    if db is None:
        return _metadata_error(f"Database {name} not found.")
    page, token = _page(self, [db.tables[t] for t in sorted(db.tables)])
    out: dict[str, Any] = {"TableMetadataList": [_table_metadata(t) for t in page]}
    if token:
        out["NextToken"] = token
    return json.dumps(out)


def get_table_metadata(self: AthenaResponse) -> Reply:
    """One Glue table's metadata, or MetadataException."""
    db = _glue(self).databases.get(self._get_param("DatabaseName"))
    table = db.tables.get(self._get_param("TableName")) if db is not None else None
    if table is None:
        return _metadata_error(f"Table {self._get_param('TableName')} not found.")
    return json.dumps({"TableMetadata": _table_metadata(table)})


def apply() -> None:
    """Install the handlers on moto's AthenaResponse (``remove()`` undoes it)."""
    moto_patching.install(AthenaResponse, {name: _unbound(globals()[name]) for name in PATCHED + ADDED}, None)


def remove() -> None:
    """Give moto back its own handlers."""
    moto_patching.remove(AthenaResponse, PATCHED + ADDED)


def _unbound(handler: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """These handlers need no stand-in state: they read moto's backends."""
    return lambda _state, response: handler(response)
