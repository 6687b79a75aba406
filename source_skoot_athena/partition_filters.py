"""The WHERE that selects a slice's partitions (Glue's or projected), the partitions left when an unfinished sync
resumes, and those within a partition-key cursor's bound."""

from __future__ import annotations

import logging

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.partitions import Partition, sort_key
from source_skoot_athena.sql import HIVE_NULL_PARTITION, equals_condition, literal, quote_identifier
from source_skoot_athena.state import StreamState


def partition_condition(keys: tuple[Column, ...], partitions: tuple[Partition, ...]) -> str:
    """The WHERE that selects exactly these partitions: `"k" IN (…)` for one key (compact: a slice may name
    thousands of partitions), else one `(k1 = … AND k2 = …)` alternative per partition."""
    if len(keys) == 1:
        key = keys[0]
        quoted = quote_identifier(key.name)
        values = [p.values[0] for p in partitions if p.values and p.values[0] not in (None, HIVE_NULL_PARTITION)]
        alternatives = [f"{quoted} IN ({', '.join(_key_literal(key, v) for v in values)})"] if values else []
        if len(values) < len(partitions):
            alternatives.append(f"{quoted} IS NULL")
        return " OR ".join(alternatives)
    return " OR ".join(
        "("
        + " AND ".join(
            equals_condition(quote_identifier(k.name), v, k.type.athena_sql_name(), k.type.kind)
            for k, v in zip(keys, partition.values, strict=False)
        )
        + ")"
        for partition in partitions
    )


def _key_literal(key: Column, value: str) -> str:
    return literal(value, key.type.athena_sql_name(), key.type.kind)


def remaining_partitions(
    partitions: list[Partition], table: TableInfo, state: StreamState, logger: logging.Logger
) -> list[Partition]:
    """The table's partitions; when resuming an unfinished sync, only those after the last one finished."""
    if state.resume_after is None:
        return partitions
    done = tuple(state.resume_after)
    remaining = [p for p in partitions if _after(table.partition_keys, p.values, done)]
    logger.info(
        f"{table.key}: resuming an unfinished sync after partition {list(done)} ({len(remaining)} partitions left)."
    )
    return remaining


def in_key_order(partitions: list[Partition], table: TableInfo) -> list[Partition]:
    """The partitions in partition-key order: the order a resumed sync's `resume_after` is compared in."""
    keys = table.partition_keys
    return sorted(partitions, key=lambda p: tuple(sort_key(k, v) for k, v in zip(keys, p.values, strict=False)))


def partitions_up_to(partitions: list[Partition], table: TableInfo, key: Column, upper: str) -> list[Partition]:
    """The partitions whose value of `key` is at most `upper` (a sync's fixed bound on a partition-key cursor)."""
    position = table.partition_keys.index(key)
    ceiling = sort_key(key, upper)
    return [p for p in partitions if sort_key(key, p.values[position]) <= ceiling]


def _after(keys: tuple[Column, ...], values: tuple[str | None, ...], done: tuple[str | None, ...]) -> bool:
    return tuple(sort_key(k, v) for k, v in zip(keys, values, strict=False)) > tuple(
        sort_key(k, v) for k, v in zip(keys, done, strict=False)
    )
