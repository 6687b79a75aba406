"""Slices sized by cost: small partitions share a query, a big one has its own, order and resumability kept."""

from __future__ import annotations

import logging

from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode
from airbyte_cdk.sources.streams.checkpoint.checkpoint_reader import FULL_REFRESH_COMPLETE_STATE

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.config import Config
from source_skoot_athena.partition_filters import partition_condition
from source_skoot_athena.partitions import Partition
from source_skoot_athena.slicing import (
    UNKNOWN_COST_PARTITIONS,
    Budget,
    condition_chars,
    cost_groups,
    partition_costs,
)
from source_skoot_athena.state import StreamState
from source_skoot_athena.stream import StreamPlanner
from source_skoot_athena.types import ReadPath, parse_type

GIB = 1024**3
KEYS = ["dt"]
TABLE = TableInfo(
    "db",
    "events",
    (Column("id", parse_type("bigint")), Column("dt", parse_type("string"), is_partition_key=True)),
)
CONFIG = Config("Test", "ap-south-1", "AKIA", "secret", "primary", "AwsDataCatalog", 60000)


def days(count: int, *, size: int | None = None, rows: int | None = None) -> list[Partition]:
    return [Partition((f"d{i:05d}",), record_count=rows, size_bytes=size) for i in range(count)]


def sizes(groups: list[tuple[Partition, ...]]) -> list[int]:
    return [len(g) for g in groups]


def test_many_small_partitions_share_few_queries() -> None:
    # 2,000 partitions of 50 rows (≈ 2 KB each): far below a slice's cost; only the query text splits them.
    groups = cost_groups(days(2000, size=2048, rows=50), KEYS)
    assert len(groups) <= 5
    assert [p for g in groups for p in g] == days(2000, size=2048, rows=50), "every partition once, in order"


def test_a_partition_bigger_than_a_slice_has_a_query_of_its_own() -> None:
    small, big = 10 * 1024**2, 3 * GIB
    partitions = [*days(3, size=small), Partition(("huge",), size_bytes=big), *days(2, size=small)]
    groups = cost_groups(partitions, KEYS)
    assert [tuple(p.values[0] for p in g) for g in groups] == [
        ("d00000", "d00001", "d00002"),
        ("huge",),
        ("d00000", "d00001"),
    ]


def test_groups_close_at_a_slice_worth_of_bytes() -> None:
    groups = cost_groups(days(10, size=GIB // 4), KEYS)
    assert sizes(groups) == [4, 4, 2]


def test_rows_are_the_measure_when_no_size_is_known() -> None:
    budget = Budget(target_rows=1000)
    assert sizes(cost_groups(days(7, rows=300), KEYS, budget)) == [3, 3, 1]


def test_a_partition_without_statistics_costs_the_average_of_the_others() -> None:
    partitions = [*days(2, size=GIB // 2), Partition(("unknown",))]
    assert partition_costs(partitions, Budget()) == [0.5, 0.5, 0.5]
    assert sizes(cost_groups(partitions, KEYS)) == [2, 1]


def test_without_any_statistics_the_former_fixed_group_size_is_kept() -> None:
    groups = cost_groups(days(45), KEYS)
    assert sizes(groups) == [UNKNOWN_COST_PARTITIONS, UNKNOWN_COST_PARTITIONS, 5]


def test_the_query_text_budget_caps_a_group() -> None:
    # Each partition's condition is estimated at len("dt") + len("d00000") + 40 = 48 characters.
    groups = cost_groups(days(10, size=1), KEYS, Budget(max_condition_chars=48 * 4))
    assert sizes(groups) == [4, 4, 2]


# --- through the planner: checkpoints and resume at slice granularity ---------------------------------------------
class Listed:
    """PartitionLister answering with fixed partitions."""

    def __init__(self, partitions: list[Partition]) -> None:
        self.listed = partitions

    def partitions(
        self, table: TableInfo, *, cursor_key: Column | None = None, lower: str | None = None
    ) -> list[Partition]:
        return list(self.listed)


class NoBound:
    def upper_bound(self, table: TableInfo, cursor: Column, lower: str | None) -> str | None:
        return None


def configured() -> ConfiguredAirbyteStream:
    return ConfiguredAirbyteStream(
        stream=AirbyteStream(
            name="events",
            namespace="db",
            json_schema={"type": "object", "properties": {"id": {}, "dt": {}}},
            supported_sync_modes=[SyncMode.full_refresh],
        ),
        sync_mode=SyncMode.full_refresh,
        destination_sync_mode=DestinationSyncMode.overwrite,
    )


def test_planner_checkpoints_after_each_cost_sized_slice_and_resumes_after_it() -> None:
    third = GIB // 3
    partitions = [Partition((v,), size_bytes=n) for v, n in [("a", third), ("b", third), ("c", third), ("d", 2 * GIB)]]
    partitions.append(Partition(("e",), size_bytes=5))
    log = logging.getLogger("test")
    plan = StreamPlanner(CONFIG, Listed(partitions), NoBound(), log).plan(configured(), TABLE, StreamState())
    assert [[p.values[0] for p in s.partitions or ()] for s in plan.slices] == [["a", "b", "c"], ["d"], ["e"]]
    assert [s.state_after.to_blob() for s in plan.slices] == [
        {"resume_after": ["c"]},
        {"resume_after": ["d"]},
        dict(FULL_REFRESH_COMPLETE_STATE),
    ]
    # A sync killed after the first slice resumes with the big partition's slice.
    resumed = StreamPlanner(CONFIG, Listed(partitions), NoBound(), log).plan(
        configured(), TABLE, plan.slices[0].state_after
    )
    assert [[p.values[0] for p in s.partitions or ()] for s in resumed.slices] == [["d"], ["e"]]
    sql = StreamPlanner(CONFIG, Listed([]), NoBound(), log).select_sql(plan, plan.slices[0], ReadPath.PARQUET)
    assert """WHERE ("dt" IN ('a', 'b', 'c'))""" in sql and "'d'" not in sql


def test_one_key_partitions_are_named_in_one_in_list_and_several_keys_one_alternative_each() -> None:
    key = TABLE.partition_keys
    assert partition_condition(key, (Partition(("a",)), Partition((None,)), Partition(("b",)))) == (
        """"dt" IN ('a', 'b') OR "dt" IS NULL"""
    )
    assert partition_condition(key, (Partition((None,)),)) == '"dt" IS NULL'
    two = (
        Column("y", parse_type("int"), is_partition_key=True),
        Column("m", parse_type("string"), is_partition_key=True),
    )
    assert partition_condition(two, (Partition(("2024", "01")), Partition(("2025", None)))) == (
        """("y" = 2024 AND "m" = '01') OR ("y" = 2025 AND "m" IS NULL)"""
    )


# --- a partition too big for one query, split by its files --------------------------------------------------------
def with_files(value: str, sizes: list[int]) -> Partition:
    files = tuple((f"s3://lake/events/dt={value}/f{i}.parquet", size) for i, size in enumerate(sizes))
    return Partition((value,), size_bytes=sum(sizes), location=f"s3://lake/events/dt={value}/", files=files)


def test_a_partition_too_big_for_a_query_is_split_into_chunks_of_its_files() -> None:
    half = GIB // 2
    groups = cost_groups(
        [with_files("a", [1]), with_files("b", [half, half, half, half, half]), with_files("c", [1])], KEYS
    )
    assert [[(p.values[0], len(p.files or ()), p.last_chunk) for p in g] for g in groups] == [
        [("a", 1, True)],
        [("b", 2, False)],
        [("b", 2, False)],
        [("b", 1, True)],  # never in one query with a whole partition
        [("c", 1, True)],
    ]
    assert [p.only_files for g in groups for p in g] == [False, True, True, True, False]


def test_a_sync_killed_inside_a_split_partition_resumes_at_its_first_chunk() -> None:
    half = GIB // 2
    partitions = [with_files("a", [1]), with_files("b", [half, half, half, half])]
    log = logging.getLogger("test")
    plan = StreamPlanner(CONFIG, Listed(partitions), NoBound(), log).plan(configured(), TABLE, StreamState())
    assert [s.state_after.to_blob() for s in plan.slices] == [
        {"resume_after": ["a"]},
        {"resume_after": ["a"]},
        dict(FULL_REFRESH_COMPLETE_STATE),
    ]
    sql = StreamPlanner(CONFIG, Listed([]), NoBound(), log).select_sql(plan, plan.slices[1], ReadPath.PARQUET)
    assert """"$path" IN ('s3://lake/events/dt=b/f0.parquet', 's3://lake/events/dt=b/f1.parquet')""" in sql
    assert "$path" not in StreamPlanner(CONFIG, Listed([]), NoBound(), log).select_sql(
        plan, plan.slices[0], ReadPath.PARQUET
    )
    resumed = StreamPlanner(CONFIG, Listed(partitions), NoBound(), log).plan(
        configured(), TABLE, plan.slices[1].state_after
    )
    assert [[len(p.files or ()) for p in s.partitions or ()] for s in resumed.slices] == [[2], [2]]


def test_named_files_are_chunked_to_stay_within_the_query_text_budget() -> None:
    many = with_files("a", [1] * 100)
    unread = Partition(many.values, size_bytes=100, location=many.location, files=many.files, only_files=True)
    uri_chars = len(many.files[0][0]) + 4 if many.files else 0
    budget = Budget(max_condition_chars=2_000 + 30 * uri_chars)
    groups = cost_groups([unread], KEYS, budget)
    assert len(groups) >= 2
    assert all(sum(condition_chars(p, KEYS) for p in g) <= budget.max_condition_chars for g in groups)
    assert [f for g in groups for p in g for f in p.files or ()] == list(many.files or ()), "every file once"
    assert [p.last_chunk for g in groups for p in g][-1] and not groups[0][0].last_chunk
