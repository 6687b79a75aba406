"""Partition projection: the partitions Athena computes from a table's ``projection.*`` properties.

Why: with ``projection.enabled`` Athena does not read partitions from Glue; it computes their values from the
table properties and reads the matching S3 locations ("Athena ignores any partition metadata registered to the
table in the AWS Glue Data Catalog", https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html).
Modelled: the ``enum`` and ``integer`` types (https://docs.aws.amazon.com/athena/latest/ug/
partition-projection-supported-types.html: ``values``, "any white space is considered part of an enum value";
``range``, ``interval``, ``digits``) and the location
(``storage.location.template`` with ``${key}``, else the Hive layout ``<location>/key=value/``). An ``injected``
key (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html) FAILs
CONSTRAINT_VIOLATION unless every reference's WHERE pins it with `=`/`IN` to literals; a pinned one is not
modelled (NOT_SUPPORTED). ``date`` keys: projection_dates; an invalid date projection FAILs the query with
INVALID_COLUMN_PROPERTY "Column projection for column '<key>' failed. …" (Trino's InvalidProjectionException,
plugin/trino-hive/.../projection/InvalidProjectionException.java; Athena's own text is unverified).
"""

from __future__ import annotations

import itertools

from sqlglot import exp

from .projection_dates import InvalidDateProjection, date_values
from .query_errors import AthenaQueryError


def _enum_values(parameters: dict[str, str], key: str) -> list[str] | None:
    text = parameters.get(f"projection.{key}.values")
    return text.split(",") if text is not None else None


def _integer_values(parameters: dict[str, str], key: str) -> list[str] | None:
    text = parameters.get(f"projection.{key}.range")
    if text is None:
        return None
    low, high = (int(v.strip()) for v in text.split(","))
    step = int(parameters.get(f"projection.{key}.interval", "1"))
    digits = int(parameters.get(f"projection.{key}.digits", "1"))
    return [str(v).zfill(digits) for v in range(low, high + 1, step)]


def _values(parameters: dict[str, str], key: str) -> list[str] | None:
    kind = parameters.get(f"projection.{key}.type", "").strip().lower()
    if kind == "enum":
        return _enum_values(parameters, key)
    if kind == "integer":
        return _integer_values(parameters, key)
    if kind == "date":
        return date_values(parameters, key)
    return None


def projected_partitions(
    parameters: dict[str, str], keys: list[str], location: str
) -> list[tuple[list[str], str]] | None:
    """(values, location) of every projected partition; None when projection is off or a type is not modelled."""
    if parameters.get("projection.enabled", "").lower() != "true" or not keys:
        return None
    try:
        per_key = [_values(parameters, key) for key in keys]
    except InvalidDateProjection:
        return None  # the query is refused (check_projection)
    if any(values is None for values in per_key):
        return None
    template = parameters.get("storage.location.template")
    partitions = []
    for combo in itertools.product(*(v for v in per_key if v is not None)):
        if template:
            where = template
            for key, value in zip(keys, combo, strict=True):
                where = where.replace("${" + key + "}", value)
        else:
            where = location.rstrip("/") + "/" + "".join(f"{k}={v}/" for k, v in zip(keys, combo, strict=True))
        partitions.append((list(combo), where if where.endswith("/") else where + "/"))
    return partitions


def check_projection(parameters: dict[str, str], keys: list[str], nodes: list[exp.Table]) -> None:
    """Refuse a query as Athena does on a projected table it cannot project: an unpinned ``injected`` key, or
    an invalid ``date`` projection."""
    check_injected_keys(parameters, keys, nodes)
    if parameters.get("projection.enabled", "").lower() != "true":
        return
    for key in keys:
        if parameters.get(f"projection.{key}.type", "").strip().lower() != "date":
            continue
        try:
            date_values(parameters, key)
        except InvalidDateProjection as exc:
            raise AthenaQueryError(
                "INVALID_COLUMN_PROPERTY", f"Column projection for column '{key}' failed. {exc}"
            ) from None


def check_injected_keys(parameters: dict[str, str], keys: list[str], nodes: list[exp.Table]) -> None:
    """Refuse a query on a table with an ``injected`` projected key as Athena does (see the module doc)."""
    if parameters.get("projection.enabled", "").lower() != "true":
        return
    for key in keys:
        if parameters.get(f"projection.{key}.type", "").lower() != "injected":
            continue
        if not all(_pins(node, key) for node in nodes):
            raise AthenaQueryError(
                "CONSTRAINT_VIOLATION",
                f"For the injected projected partition column {key}, the WHERE clause must contain only static "
                "equality conditions, and at least one such condition must be present.",
            )
        raise AthenaQueryError(
            "NOT_SUPPORTED", f"injected partition projection ({key}) is not modelled by the stand-in"
        )


def _pins(node: exp.Table, key: str) -> bool:
    select = node.find_ancestor(exp.Select)
    where = select.args.get("where") if select else None
    if where is None:
        return False
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    for c in conjuncts:
        if isinstance(c, exp.EQ | exp.In) and isinstance(c.this, exp.Column) and c.this.name.lower() == key.lower():
            values = c.args.get("expressions") or [c.expression]
            if all(isinstance(v, exp.Literal) for v in values if v is not None):
                return True
    return False
