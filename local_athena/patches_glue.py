"""Replacements for moto's Glue GetDatabases / GetTables / GetPartitions (moto 5.2.5 ``moto/glue/responses.py``).

Also: names that create catalog entries are checked and lower-cased as Glue does (``glue_names``).

Why: moto returns everything in one page and its partition Expression parser lacks NOT and ``date '…'``
literals; real Glue pages with MaxResults/NextToken, and connectors must follow NextToken to be correct.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import InvalidInputException
from moto.glue.responses import GlueResponse

from . import glue_names, iam, moto_patching
from .glue_expressions import check_expression
from .partition_predicates import filter_by_expression

PATCHED = ("get_databases", "get_tables", "get_partitions")


def _page(self: GlueResponse, items: list[Any], default_max: int, hard_max: int) -> tuple[list[Any], str | None]:
    max_results = self.parameters.get("MaxResults")
    limit = min(int(max_results), hard_max) if max_results else default_max
    token = self.parameters.get("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(str(token).encode()).decode())
        except Exception as e:
            raise InvalidInputException("GetTables", "Invalid NextToken") from e
    end = start + limit
    nxt = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], nxt


def _result(key: str, page: list[dict[str, Any]], token: str | None) -> ActionResult:
    out: dict[str, Any] = {key: page}
    if token:
        out["NextToken"] = token
    return ActionResult(out)


def get_databases(self: GlueResponse) -> ActionResult:
    """GetDatabases, paged (MaxResults ≤ 100); under IAM enforcement only the databases the caller may read."""
    dbs = iam.filter_databases(self, self.glue_backend.get_databases())
    page, token = _page(self, dbs, 100, 100)
    return _result("DatabaseList", [d.as_dict() for d in page], token)


def get_tables(self: GlueResponse) -> ActionResult:
    """GetTables (with moto's Expression matching), paged (MaxResults ≤ 100); only tables the caller may read."""
    database = str(self.parameters.get("DatabaseName"))
    tables = iam.filter_tables(
        self, database, self.glue_backend.get_tables(database, self.parameters.get("Expression"))
    )
    page, token = _page(self, tables, 100, 100)
    return _result("TableList", [t.as_dict() for t in page], token)


def get_partitions(self: GlueResponse) -> ActionResult:
    """GetPartitions, Expression evaluated in DuckDB (NOT, date literals…), paged (MaxResults ≤ 1000)."""
    db = str(self.parameters.get("DatabaseName"))
    name = str(self.parameters.get("TableName"))
    expression = self.parameters.get("Expression")
    table = self.glue_backend.get_table(db, name)
    partitions = list(table.partitions.values())
    if expression:
        d = table.as_dict()
        keys = [(c["Name"], c.get("Type", "string")) for c in d.get("PartitionKeys") or []]
        check_expression(str(expression), [k for k, _ in keys])
        idx = filter_by_expression(keys, [list(p.values) for p in partitions], expression)
        if idx is None:
            partitions = self.glue_backend.get_partitions(db, name, expression)
        else:
            partitions = [partitions[i] for i in idx]
    page, token = _page(self, partitions, 1000, 1000)
    items = [p.as_dict() for p in page]
    if self.parameters.get("ExcludeColumnSchema"):
        # "When true, specifies not returning the partition column schema" (GetPartitions, ExcludeColumnSchema:
        # https://docs.aws.amazon.com/glue/latest/webapi/API_GetPartitions.html): the columns go, the rest stays.
        items = [{**item, "StorageDescriptor": _without_columns(item.get("StorageDescriptor"))} for item in items]
    return _result("Partitions", items, token)


def _without_columns(descriptor: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (descriptor or {}).items() if k != "Columns"}


def _parameters(self: GlueResponse) -> dict[str, Any]:
    """The request's parameters as Glue applies them (names checked and lower-cased; see glue_names)."""
    params: dict[str, Any] = json.loads(self.body)
    return glue_names.request_parameters(self._get_action(), params)


def apply() -> None:
    """Install the handlers on moto's GlueResponse (``remove()`` undoes it)."""
    moto_patching.install(GlueResponse, {name: _unbound(globals()[name]) for name in PATCHED}, None)
    moto_patching.replace(GlueResponse, "parameters", property(_parameters))


def remove() -> None:
    """Give moto back its own handlers."""
    moto_patching.remove(GlueResponse, (*PATCHED, "parameters"))


def _unbound(handler: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """These handlers need no stand-in state: they read moto's backends."""
    return lambda _state, response: handler(response)
