"""char(n) leaves and date map keys through the command line: the same records on the UNLOAD, result-CSV and
GetQueryResults paths (README "Values": char padded to its length; a map's keys as strings).

Why: the text paths select a nested column as `CAST(… AS JSON)`, which Trino refuses for a char leaf and for a date
map key (core/trino-main .../util/JsonUtil.java `canCastToJson`, `isValidJsonObjectKeyType`), and UNLOAD would
write a char without its padding; so the connector renders those as text in SQL (types/nested_text.py) and every
path gives the value Athena shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.claim_runs import PATH_LOG, read_on_path, table_for_every_path
from local_athena import LocalAthena

DB = "nested_char"
GLUE_TYPES = {
    "id": "bigint",
    "ch": "char(3)",
    "md": "map<date,int>",
    "a": "array<char(3)>",
    "s": "struct<c:char(2)>",
    "mc": "map<char(2),int>",
}
EXPECTED = {
    1: {
        "ch": "ab ",
        "md": {"2024-02-29": 1, "0001-01-01": None},
        "a": ["ab ", "abc", "   ", None],
        "s": {"c": "x "},
        "mc": {"k ": 1, "xy": None},
    },
    2: {"ch": "   ", "md": {}, "a": [], "s": {"c": None}, "mc": {}},
    3: {"ch": None, "md": None, "a": None, "s": None, "mc": None},
}


def char_table() -> pa.Table:
    """Short, full, empty and NULL chars; date keys (year 1 too) with a NULL value; empty and NULL containers."""
    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "ch": pa.array(["ab", "", None]),
            "md": pa.array(
                [[(dt.date(2024, 2, 29), 1), (dt.date(1, 1, 1), None)], [], None],
                pa.map_(pa.date32(), pa.int32()),
            ),
            "a": pa.array([["ab", "abc", "", None], [], None], pa.list_(pa.string())),
            "s": pa.array([{"c": "x"}, {"c": None}, None], pa.struct([("c", pa.string())])),
            "mc": pa.array([[("k", 1), ("xy", None)], [], None], pa.map_(pa.string(), pa.int32())),
        }
    )


@pytest.fixture
def catalog(athena_sandbox: LocalAthena) -> dict[str, Any]:
    return table_for_every_path(athena_sandbox, DB, "chars", char_table(), GLUE_TYPES, "nested-char-v1")


@pytest.mark.parametrize("path", list(PATH_LOG))
def test_chars_and_date_keys_are_the_same_on_each_read_path(
    athena_sandbox: LocalAthena, catalog: dict[str, Any], path: str
) -> None:
    run = read_on_path(athena_sandbox, catalog, DB, path, "nested-char-v1")
    assert {row.pop("id"): row for row in run.rows("chars")} == EXPECTED
