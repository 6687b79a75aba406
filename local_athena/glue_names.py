"""Names as the Glue Data Catalog keeps them: lower-cased, single-line, 1 to 255 bytes.

Why: the stand-in must not hold names real Glue refuses or rewrites, or a test passes only here. Glue's
CreateDatabase / CreateTable / UpdateTable take database, table and column names (and column comments) that
match the "Single-line string pattern" (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-common.html
#aws-glue-api-regex-oneLine) and are 1-255 bytes long (comments 0-255), and the Data Catalog stores database,
table and column names in lower case ("Name databases, tables, and columns",
https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html). A value outside the pattern is
refused with a "1 validation error detected" ValidationException naming the member, as AWS's JSON services do.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from moto.core.exceptions import JsonRESTError

# The Glue API's Single-line string pattern: no line breaks or other control characters except tab.
SINGLE_LINE_PATTERN = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"
_SINGLE_LINE = re.compile("[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\t]*")


class GlueValidationError(JsonRESTError):
    """AWS's answer to a request member outside its constraints (HTTP 400)."""

    code = 400

    def __init__(self, member: str, value: str, constraint: str) -> None:
        super().__init__(
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}",
        )


def _single_line(value: Any, member: str, min_bytes: int) -> str:
    text = str(value)
    if not min_bytes <= len(text.encode()) <= 255:
        raise GlueValidationError(member, text, f"Member must have length between {min_bytes} and 255")
    if not _SINGLE_LINE.fullmatch(text):
        raise GlueValidationError(
            member, text, f"Member must satisfy regular expression pattern: {SINGLE_LINE_PATTERN}"
        )
    return text


def glue_name(value: Any, member: str) -> str:
    """A database, table or column name as Glue stores it (lower case), or GlueValidationError."""
    return _single_line(value, member, 1).lower()


def _columns(columns: list[dict[str, Any]], member: str) -> None:
    for i, column in enumerate(columns):
        column["Name"] = glue_name(column.get("Name", ""), f"{member}.{i + 1}.member.name")
        if "Comment" in column:
            _single_line(column["Comment"], f"{member}.{i + 1}.member.comment", 0)


def table_input(value: dict[str, Any]) -> dict[str, Any]:
    """A TableInput with its table and column names lower-cased (a copy), or GlueValidationError."""
    checked = copy.deepcopy(value)
    checked["Name"] = glue_name(checked.get("Name", ""), "tableInput.name")
    _columns((checked.get("StorageDescriptor") or {}).get("Columns") or [], "tableInput.storageDescriptor.columns")
    _columns(checked.get("PartitionKeys") or [], "tableInput.partitionKeys")
    return checked


def request_parameters(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a Glue request as Glue applies them: names that create or update a catalog entry checked
    and lower-cased (other operations unchanged)."""
    if operation in ("CreateTable", "UpdateTable"):
        params = {**params, "TableInput": table_input(params.get("TableInput") or {})}
        params["DatabaseName"] = glue_name(params.get("DatabaseName", ""), "databaseName")
    elif operation == "CreateDatabase":
        database = dict(params.get("DatabaseInput") or {})
        database["Name"] = glue_name(database.get("Name", ""), "databaseInput.name")
        params = {**params, "DatabaseInput": database}
    return params
