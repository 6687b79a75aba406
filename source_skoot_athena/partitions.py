"""Glue partitions of a table, listed page by page (optionally only those past a cursor) and put in order."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from source_skoot_athena.aws import aws_call
from source_skoot_athena.catalog import Column, GlueStatistics, TableInfo, glue_pages
from source_skoot_athena.partition_sizes import Files, table_files, with_s3_files
from source_skoot_athena.sql import HIVE_NULL_PARTITION
from source_skoot_athena.types import INTEGER_KINDS, STRING_KINDS

if TYPE_CHECKING:
    from source_skoot_athena.projection_slices import ProjectedPartitions

PARTITIONS_PER_PAGE = 1000  # GetPartitions MaxResults (at most 1000)
SIMPLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# Glue parses the Expression with JSqlParser, whose reserved words cannot name a column: a key named so is
# filtered here only (trinodb/trino GlueExpressionUtil.JSQL_PARSER_RESERVED_KEYWORDS, PR #11512).
GLUE_EXPRESSION_RESERVED_WORDS = frozenset(
    [
        "all",
        "and",
        "any",
        "as",
        "asc",
        "begin",
        "between",
        "by",
        "case",
        "create",
        "delete",
        "desc",
        "distinct",
        "do",
        "drop",
        "else",
        "end",
        "escape",
        "exists",
        "from",
        "full",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "intersect",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "natural",
        "not",
        "null",
        "offset",
        "on",
        "open",
        "or",
        "order",
        "outer",
        "primary",
        "replace",
        "right",
        "select",
        "set",
        "some",
        "table",
        "then",
        "top",
        "truncate",
        "union",
        "update",
        "using",
        "values",
        "when",
        "where",
        "with",
    ]
)


@dataclass(frozen=True)
class Partition:
    """One registered partition: its values in partition-key order, Glue's statistics if any, its S3 folder, and
    its data files (`s3://…` URI, size) when they were listed.

    `only_files`: a query reads only `files` of it (unread files, or one chunk of a partition too big for one
    query); `last_chunk`: False for every chunk of a split partition but its last one.
    """

    values: tuple[str | None, ...]
    record_count: int | None = None
    size_bytes: int | None = None
    location: str | None = None
    files: tuple[tuple[str, int], ...] | None = None
    only_files: bool = False
    last_chunk: bool = True


def sort_key(key: Column, value: str | None) -> tuple[int, Any]:
    """Order partition values by their key's type (10 after 9 for integers); NULL partitions first."""
    if value is None:
        return (0, 0)
    if key.type.kind in INTEGER_KINDS:
        try:
            return (1, int(value))
        except ValueError:
            return (2, value)
    return (2, value)


def glue_expression(key: Column, lower: str) -> str | None:
    """A GetPartitions Expression for `key >= lower`, when the key's name and type allow one."""
    if not SIMPLE_NAME.match(key.name) or key.name in GLUE_EXPRESSION_RESERVED_WORDS:
        return None
    if key.type.kind in INTEGER_KINDS and lower.lstrip("-").isdigit():
        return f"{key.name} >= {int(lower)}"
    if key.type.kind in STRING_KINDS and "'" not in lower:
        return f"{key.name} >= '{lower}'"
    return None


def list_partitions(
    glue: Any, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
) -> list[Partition]:
    """Registered partitions in order; with a partition-key cursor, only those at or past `lower`.

    The filter is sent to Glue as an Expression where possible (fewer pages) and always applied here too.
    """
    keys = table.partition_keys
    params: dict[str, Any] = {
        "DatabaseName": table.database,
        "TableName": table.name,
        "MaxResults": PARTITIONS_PER_PAGE,
        "ExcludeColumnSchema": True,  # values, location and statistics are all we use: pages without the columns
    }
    if cursor_key is not None and lower is not None:
        expression = glue_expression(cursor_key, lower)
        if expression:
            params["Expression"] = expression
    partitions: list[Partition] = []
    with aws_call("glue:GetPartitions", what=f"table {table.key}"):
        for page in glue_pages(glue.get_partitions, "Partitions", **params):
            for item in page:
                values = tuple(None if v == HIVE_NULL_PARTITION else str(v) for v in item.get("Values", []))
                statistics = GlueStatistics.from_parameters(item.get("Parameters", {}) or {})
                location = (item.get("StorageDescriptor") or {}).get("Location")
                partitions.append(Partition(values, statistics.record_count, statistics.size_bytes, location))
    if cursor_key is not None and lower is not None:
        position = keys.index(cursor_key)
        floor = sort_key(cursor_key, lower)
        partitions = [p for p in partitions if sort_key(cursor_key, p.values[position]) >= floor]
    partitions.sort(key=lambda p: tuple(sort_key(k, v) for k, v in zip(keys, p.values, strict=False)))
    return partitions


class GluePartitions:
    """The planner's partition lister (stream_plan.PartitionLister) over a Glue client; given an S3 client, partitions
    without Glue statistics are sized from S3 (partition_sizes.py), so slices can be sized by cost, and for a
    partition-key cursor each partition's data files are listed."""

    def __init__(self, glue: Any, s3: Any = None, logger: logging.Logger | None = None) -> None:
        self._glue = glue
        self._s3 = s3
        self._logger = logger or logging.getLogger("airbyte")

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        listed = list_partitions(self._glue, table, cursor_key=cursor_key, lower=lower)
        if self._s3 is None:
            return listed
        # A partition-key cursor reads only the files it has not read (file_increments.py): list them.
        return with_s3_files(self._s3, table.location, listed, self._logger, track_files=cursor_key is not None)

    def table_files(self, table: TableInfo) -> tuple[Files, bool] | None:
        """An unpartitioned table's data files (file_slices.TableFileLister); None without an S3 client."""
        return None if self._s3 is None else table_files(self._s3, table.location, self._logger)

    def projected(self, table: TableInfo) -> ProjectedPartitions | None:
        """A projected table's partitions (projection_slices.ProjectionSource), sized from S3 when it can list."""
        from source_skoot_athena.projection_slices import projected_lister  # it builds on this module

        return projected_lister(table, self._s3, self._logger)
