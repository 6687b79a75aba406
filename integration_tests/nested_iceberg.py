"""An Iceberg table with `timestamptz`, `time` and `uuid` nested in a struct field, a list element and a map value,
beside a top-level `timestamptz` (a cursor): the data and Iceberg types the stand-in's and the CLI tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

UTC = dt.UTC
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
UUID_1 = "0f8fad5b-d9cb-469f-a165-708677289501"
UUID_2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

# The spec's JSON form (https://iceberg.apache.org/spec/#schemas): uuid cannot be told from Arrow's string.
NESTED_TYPES: dict[str, Any] = {
    "s": {
        "type": "struct",
        "fields": [
            {"id": 101, "name": "at", "required": False, "type": "timestamptz"},
            {"id": 102, "name": "t", "required": False, "type": "time"},
            {"id": 103, "name": "u", "required": False, "type": "uuid"},
            {"id": 104, "name": "n", "required": False, "type": "string"},
        ],
    },
    "arr": {"type": "list", "element-id": 105, "element": "timestamptz", "element-required": False},
    "m": {"type": "map", "key-id": 106, "key": "string", "value-id": 107, "value": "uuid", "value-required": False},
}
STRUCT = pa.struct([("at", pa.timestamp("us", "UTC")), ("t", pa.time64("us")), ("u", pa.string()), ("n", pa.string())])


def nested_rows(ids: list[int], hour: int = 9) -> pa.Table:
    """Rows by id: id 1 holds values (a +05:30 instant in the struct), 2 NULL containers, 3 containers of NULLs /
    empty ones; any other id repeats 1's values. `ts` (top-level timestamptz) rises with the id."""
    full: dict[str, Any] = {
        "s": {"at": dt.datetime(2024, 1, 1, 12, 0, 0, 123456, IST), "t": dt.time(12, 30, 1, 5), "u": UUID_1, "n": "x"},
        "arr": [dt.datetime(2024, 3, 4, 5, 6, 7, 890123, UTC), None],
        "m": [("k1", UUID_2), ("k2", None)],
    }
    by_id: dict[int, dict[str, Any]] = {
        2: {"s": None, "arr": None, "m": None},
        3: {"s": {"at": None, "t": None, "u": None, "n": None}, "arr": [], "m": []},
    }
    rows = [by_id.get(i, full) for i in ids]
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "ts": pa.array([dt.datetime(2024, 1, 1, hour, 0, i, 123456, UTC) for i in ids], pa.timestamp("us", "UTC")),
            "s": pa.array([r["s"] for r in rows], STRUCT),
            "arr": pa.array([r["arr"] for r in rows], pa.list_(pa.timestamp("us", "UTC"))),
            "m": pa.array([r["m"] for r in rows], pa.map_(pa.string(), pa.string())),
        }
    )


# What every read path must give for ids 1-3 (README "Values": the UTC wall time of a zoned value, µs kept; time
# with its six digits; uuid as its text).
EXPECTED_NESTED: dict[int, dict[str, Any]] = {
    1: {
        "s": {"at": "2024-01-01T06:30:00.123456", "t": "12:30:01.000005", "u": UUID_1, "n": "x"},
        "arr": ["2024-03-04T05:06:07.890123", None],
        "m": {"k1": UUID_2, "k2": None},
    },
    2: {"s": None, "arr": None, "m": None},
    3: {"s": {"at": None, "t": None, "u": None, "n": None}, "arr": [], "m": {}},
}


def expected_record(i: int, hour: int = 9) -> dict[str, Any]:
    return {"id": i, "ts": f"2024-01-01T{hour:02d}:00:{i:02d}.123456", **EXPECTED_NESTED.get(i, EXPECTED_NESTED[1])}
