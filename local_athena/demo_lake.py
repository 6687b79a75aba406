"""The setup guide's demo account: workgroups, buckets and the ``entertainment`` database.

Why: tests, the demo and benchmarks all need the same deterministic data; ``expected_rows`` gives tests the
rows as Python values to compare the connector's output with.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Protocol

import pyarrow as pa

DATABASE = "entertainment"
DATA_BUCKET = "skoot-data-demo"
RESULTS_BUCKET = "skoot-athena-results"
WORKGROUP = "skoot"
RELEASE_DATES = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
GENRES = ["drama", "comedy", "sci-fi", "horror", "documentary", "animation"]
_TITLE_WORDS = ["Night", "Return", "Amélie's", "Σκιά", '"Quoted"', "Comma, Inc.", "東京", "Last", "Blue", "Echo"]


def movies() -> pa.Table:
    """300 movies, 60 per release_date partition."""
    rows: dict[str, list[Any]] = {
        k: [] for k in ["id", "title", "genre", "rating", "budget", "released_at", "is_sequel", "release_date"]
    }
    for i in range(300):
        day = RELEASE_DATES[i // 60]
        rows["id"].append(1000 + i)
        rows["title"].append(f"{_TITLE_WORDS[i % len(_TITLE_WORDS)]} {_TITLE_WORDS[(i * 7) % len(_TITLE_WORDS)]} {i}")
        rows["genre"].append(GENRES[i % len(GENRES)])
        rows["rating"].append(None if i % 50 == 7 else round(1 + (i * 37 % 90) / 10, 1))
        rows["budget"].append(Decimal(f"{(i * 104729) % 90000000 + 100000}.{i % 100:02d}"))
        base = dt.datetime.fromisoformat(day + " 00:00:00")
        rows["released_at"].append(base + dt.timedelta(seconds=i * 97, milliseconds=i % 1000))
        rows["is_sequel"].append(i % 4 == 0)
        rows["release_date"].append(day)
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("title", pa.string()),
            ("genre", pa.string()),
            ("rating", pa.float64()),
            ("budget", pa.decimal128(12, 2)),
            ("released_at", pa.timestamp("ms")),
            ("is_sequel", pa.bool_()),
            ("release_date", pa.string()),
        ]
    )
    return pa.Table.from_pydict(rows, schema=schema)


def ratings() -> pa.Table:
    """500 ratings; ``comment`` has NULLs and empty strings."""
    rows: dict[str, list[Any]] = {k: [] for k in ["user_id", "movie_id", "score", "rated_at", "comment"]}
    base = dt.datetime(2024, 2, 1, 8, 30, 0)
    for i in range(500):
        rows["user_id"].append(i % 37 + 1)
        rows["movie_id"].append(1000 + (i * 13) % 300)
        rows["score"].append(i % 5 + 1)
        rows["rated_at"].append(base + dt.timedelta(minutes=i * 11, milliseconds=(i * 123) % 1000))
        comment: str | None = f"comment {i}: {'great' if i % 2 else 'meh'}"
        if i % 10 == 3:
            comment = None
        elif i % 10 == 5:
            comment = ""
        elif i % 10 == 9:
            comment = 'line one\nline "two", ünïcødé'
        rows["comment"].append(comment)
    schema = pa.schema(
        [
            ("user_id", pa.int64()),
            ("movie_id", pa.int64()),
            ("score", pa.int32()),
            ("rated_at", pa.timestamp("ms")),
            ("comment", pa.string()),
        ]
    )
    return pa.Table.from_pydict(rows, schema=schema)


CATALOG_ITEMS_TYPES = {
    "item_id": "bigint",
    "name": "string",
    "tags": "array<string>",
    "attributes": "map<string,int>",
    "details": "struct<a:int,b:array<decimal(10,2)>>",
    "price": "decimal(38,10)",
    "payload": "binary",
    "available_on": "date",
    "in_stock": "boolean",
}


def catalog_items() -> pa.Table:
    """20 items with nested, decimal, binary, date and boolean columns (some NULLs, empty collections)."""
    rows: dict[str, list[Any]] = {k: [] for k in CATALOG_ITEMS_TYPES}
    for i in range(20):
        rows["item_id"].append(i + 1)
        rows["name"].append(f"item-{i}")
        rows["tags"].append(None if i == 3 else [f"t{j}" for j in range(i % 3)])
        rows["attributes"].append(None if i == 4 else [(f"k{j}", i * 10 + j) for j in range(i % 3)])
        rows["details"].append(None if i == 5 else {"a": i, "b": [Decimal(f"{i}.{j}5") for j in range(i % 2 + 1)]})
        rows["price"].append(None if i == 6 else Decimal(f"{i * 1234567}.{i:010d}"))
        rows["payload"].append(None if i == 7 else bytes([i, 255 - i, 0, 16]))
        rows["available_on"].append(dt.date(2024, 3, 1) + dt.timedelta(days=i))
        rows["in_stock"].append(None if i == 8 else i % 2 == 0)
    schema = pa.schema(
        [
            ("item_id", pa.int64()),
            ("name", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("attributes", pa.map_(pa.string(), pa.int32())),
            ("details", pa.struct([("a", pa.int32()), ("b", pa.list_(pa.decimal128(10, 2)))])),
            ("price", pa.decimal128(38, 10)),
            ("payload", pa.binary()),
            ("available_on", pa.date32()),
            ("in_stock", pa.bool_()),
        ]
    )
    return pa.Table.from_pydict(rows, schema=schema)


DEMO_TABLES = {"movies": movies, "ratings": ratings, "catalog_items": catalog_items}


def expected_rows(table: str) -> list[dict[str, Any]]:
    """The demo table's rows as Python values (partition keys included), in insertion order."""
    return DEMO_TABLES[table]().to_pylist()


class LakeBuilder(Protocol):
    """What loading the demo needs from a stand-in (``LocalAthena`` is one)."""

    def create_workgroup(self, name: str, *, output_location: str | None, enforce: bool = False) -> None: ...

    def put_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        partition_keys: list[str] | None = None,
        glue_types: dict[str, str] | None = None,
        comments: dict[str, str] | None = None,
    ) -> None: ...


def load_demo(athena: LakeBuilder) -> None:
    """Workgroups ``skoot`` (enforced) and ``primary``, both buckets, and the ``entertainment`` tables."""
    athena.create_workgroup(WORKGROUP, output_location=f"s3://{RESULTS_BUCKET}/", enforce=True)
    athena.create_workgroup("primary", output_location=f"s3://{RESULTS_BUCKET}/primary/", enforce=False)
    athena.put_table(
        DATABASE,
        "movies",
        movies(),
        partition_keys=["release_date"],
        comments={"rating": "average rating, 1-10", "budget": "USD"},
    )
    athena.put_table(DATABASE, "ratings", ratings())
    athena.put_table(DATABASE, "catalog_items", catalog_items(), glue_types=CATALOG_ITEMS_TYPES)
