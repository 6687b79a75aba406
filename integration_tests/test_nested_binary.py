"""varbinary in a struct field, an array element and a map value of a Hive Parquet table, through the command line:
README "Values" (binary -> standard base64, nested values by the same rules) on the UNLOAD, result-CSV and
GetQueryResults paths, identical records on all three (review real-aws finding 8: Trino's `CAST(… AS JSON)`,
which the text paths use for nested columns, refuses varbinary, so the connector base64s those leaves in SQL)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import PATH_LOG, read_on_path, table_for_every_path
from local_athena import LocalAthena

DB = "nested_bin"
GLUE_TYPES = {"id": "bigint", "s": "struct<a:int,b:binary>", "arr": "array<binary>", "m": "map<string,binary>"}
# b"\xfb\xff" is "+/8=" in standard base64 ("-_8=" in the URL-safe alphabet): the alphabet is checked too.
EXPECTED = {
    1: {"s": {"a": 1, "b": "AP8="}, "arr": ["AP8=", "", None], "m": {"k": "+/8=", "n": None}},
    2: {"s": {"a": 2, "b": None}, "arr": [], "m": {}},
    3: {"s": None, "arr": None, "m": None},
}


def nested_binary_table() -> pa.Table:
    """Three rows: binary leaves with an empty value and NULLs, empty containers, NULL containers."""
    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "s": pa.array(
                [{"a": 1, "b": b"\x00\xff"}, {"a": 2, "b": None}, None],
                pa.struct([("a", pa.int32()), ("b", pa.binary())]),
            ),
            "arr": pa.array([[b"\x00\xff", b"", None], [], None], pa.list_(pa.binary())),
            "m": pa.array([[("k", b"\xfb\xff"), ("n", None)], [], None], pa.map_(pa.string(), pa.binary())),
        }
    )


@pytest.fixture
def catalog(athena_sandbox: LocalAthena) -> dict[str, Any]:
    return table_for_every_path(athena_sandbox, DB, "bins", nested_binary_table(), GLUE_TYPES, "nested-bin-v1")


@pytest.mark.parametrize("path", list(PATH_LOG))
def test_nested_binary_is_standard_base64_on_each_read_path(
    athena_sandbox: LocalAthena, catalog: dict[str, Any], path: str
) -> None:
    run = read_on_path(athena_sandbox, catalog, DB, path, "nested-bin-v1")
    assert {row.pop("id"): row for row in run.rows("bins")} == EXPECTED


def test_the_schema_types_nested_binary_as_base64_strings(catalog: dict[str, Any]) -> None:
    (stream,) = catalog["streams"]
    properties = stream["stream"]["json_schema"]["properties"]
    for leaf in (
        properties["s"]["properties"]["b"],
        properties["arr"]["items"],
        properties["m"]["additionalProperties"],
    ):
        assert leaf["type"] == ["null", "string"] and leaf["contentEncoding"] == "base64", leaf
