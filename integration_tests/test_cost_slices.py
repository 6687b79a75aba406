"""Slices sized by cost against the stand-in: partitions sized from S3 when Glue has no statistics, and a
2,000-partition table read in a handful of queries with every row exact."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pytest

from integration_tests.connector import DEMO_CONFIG, configured_catalog, run_connector
from local_athena import LocalAthena
from source_skoot_athena import partition_sizes
from source_skoot_athena.catalog import table_from_glue
from source_skoot_athena.partitions import GluePartitions
from source_skoot_athena.read.progress import HEARTBEAT_ENV

DATABASE = "cost_slices"
LOGGER = logging.getLogger("test_cost_slices")


def _rows(days: int, per_day: int) -> pa.Table:
    n = days * per_day
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "amount": pa.array([i * 0.25 for i in range(n)], pa.float64()),
            "note": pa.array([f"note {i}" for i in range(n)]),
            "day": pa.array([f"d{i // per_day:05d}" for i in range(n)]),
        }
    )


def _lister(athena: LocalAthena, table: str) -> tuple[GluePartitions, Any]:
    glue = athena.client("glue")
    info = table_from_glue(DATABASE, glue.get_table(DatabaseName=DATABASE, Name=table)["Table"])
    return GluePartitions(glue, athena.client("s3"), LOGGER), info


def _object_sizes(athena: LocalAthena, table: str) -> dict[str, int]:
    """Bytes under each partition folder, as S3 lists them."""
    s3 = athena.client("s3")
    sizes: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="skoot-data-demo", Prefix=f"{DATABASE}/{table}/"):
        for item in page.get("Contents", []):
            folder = item["Key"].rsplit("/", 1)[0].rsplit("=", 1)[1]
            sizes[folder] = sizes.get(folder, 0) + item["Size"]
    return sizes


@pytest.mark.parametrize("one_by_one", [True, False])
def test_partitions_without_glue_statistics_are_sized_from_s3(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch, one_by_one: bool
) -> None:
    monkeypatch.setattr(partition_sizes, "PER_PARTITION_LISTINGS", 50 if one_by_one else 0)
    athena.put_table(DATABASE, "sized", _rows(5, 30), partition_keys=["day"])
    athena.append_rows(DATABASE, "sized", _rows(1, 7))  # a second file in d00000
    lister, info = _lister(athena, "sized")
    athena.reset_observations()
    listed = lister.partitions(info)
    assert athena.calls["s3:ListObjectsV2"] == (5 if one_by_one else 1), "a listing per partition, or one walk"
    expected = _object_sizes(athena, "sized")
    assert {p.values[0]: p.size_bytes for p in listed} == expected and len(expected) == 5


def test_a_listing_cut_short_sizes_only_the_partitions_it_saw_whole(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    athena.put_table(DATABASE, "cut", _rows(6, 10), partition_keys=["day"])
    monkeypatch.setattr(partition_sizes, "PER_PARTITION_LISTINGS", 0)
    monkeypatch.setattr(partition_sizes, "MAX_LIST_PAGES", 1)
    monkeypatch.setattr(partition_sizes, "PAGE_KEYS", 3)
    lister, info = _lister(athena, "cut")
    listed = lister.partitions(info)
    # Page 1 holds the files of d00000..d00002; d00002 may have more keys after it, so only two are sized.
    assert [p.size_bytes is not None for p in listed] == [True, True, False, False, False, False]


def test_a_denied_listing_leaves_the_partitions_unsized_with_a_warning(
    athena: LocalAthena, caplog: pytest.LogCaptureFixture
) -> None:
    athena.put_table(DATABASE, "denied", _rows(3, 10), partition_keys=["day"])
    athena.faults.error("s3:ListObjectsV2", "AccessDenied", status=403, message="Access Denied")
    lister, info = _lister(athena, "denied")
    with caplog.at_level(logging.WARNING):
        listed = lister.partitions(info)
    assert [p.size_bytes for p in listed] == [None, None, None]
    assert "SkootUnderlyingDataS3" in caplog.text and "AccessDenied" in caplog.text


def test_two_thousand_partitions_are_read_in_a_few_queries_with_every_row_exact(athena: LocalAthena) -> None:
    data = _rows(2000, 50)  # 100,000 rows in 2,000 partitions, no Glue statistics
    athena.put_table(DATABASE, "many", data, partition_keys=["day"])
    config = {**DEMO_CONFIG, "databases": [DATABASE]}
    found = run_connector("discover", athena.env(), config=config)
    (message,) = found.of_type("CATALOG")
    catalog = configured_catalog(message["catalog"], streams=["many"])
    athena.reset_observations()

    # No heartbeat (a re-emitted STATE) in this run however slow the machine: the test counts the STATEs.
    run = run_connector("read", {**athena.env(), HEARTBEAT_ENV: "3600"}, config=config, catalog=catalog)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    queries = [q for q in athena.queries if '"many"' in q.sql and "max(" not in q.sql]
    assert 1 <= len(queries) <= 5, [len(q.sql) for q in queries]
    assert all(len(q.sql.encode()) < 262_144 for q in queries), "within Athena's query text limit"
    rows = sorted(run.rows("many"), key=lambda r: r["id"])
    assert rows == data.to_pylist()
    assert len(run.states) == len(queries), "a STATE after each slice"
