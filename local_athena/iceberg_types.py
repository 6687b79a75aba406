"""Iceberg types, nested ones included, as the Glue catalog writers show them and as Athena reads them.

Why: Glue's column types are Hive's, so the writers map `timestamptz` to `timestamp` and `time`/`uuid` to `string`
at every depth: a struct renders as `struct<name:type,...>`, a list as `array<type>`, a map as `map<key,value>`
(apache/iceberg-python pyiceberg/catalog/glue.py `_IcebergSchemaToGlueType` and `GLUE_PRIMITIVE_TYPES`;
apache/iceberg aws/src/main/java/org/apache/iceberg/aws/glue/IcebergToGlueConverter.java `toTypeString`). Athena
reads the table's own schema, so those fields are `timestamp(6) with time zone`, `time(6)` and `uuid` inside the
row/array/map too (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-supported-data-types.html).

A type is the table spec's JSON form (https://iceberg.apache.org/spec/#schemas-and-data-types): a primitive's
name, or an object of type `struct` (`fields`), `list` (`element`) or `map` (`key`, `value`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from .glue_types import duck_ident

IcebergType = str | dict[str, Any]

# Primitive -> (Glue type as the writers map it, DuckDB type Athena reads it as).
PRIMITIVES: dict[str, tuple[str, str]] = {
    "boolean": ("boolean", "BOOLEAN"),
    "int": ("int", "INTEGER"),
    "long": ("bigint", "BIGINT"),
    "float": ("float", "FLOAT"),
    "double": ("double", "DOUBLE"),
    "date": ("date", "DATE"),
    "time": ("string", "TIME"),
    "timestamp": ("timestamp", "TIMESTAMP"),
    "timestamptz": ("timestamp", "TIMESTAMPTZ"),
    "string": ("string", "VARCHAR"),
    "uuid": ("string", "UUID"),
    "binary": ("binary", "BLOB"),
}
_FROM_ARROW = {
    pa.bool_(): "boolean",
    pa.int32(): "int",
    pa.int64(): "long",
    pa.float32(): "float",
    pa.float64(): "double",
    pa.date32(): "date",
    pa.string(): "string",
    pa.binary(): "binary",
}


def glue_type(t: IcebergType) -> str:
    """The type Glue shows for ``t`` (pyiceberg `_IcebergSchemaToGlueType`)."""
    if isinstance(t, str):
        return t if t.startswith("decimal") else PRIMITIVES[t][0]
    if t["type"] == "struct":
        return "struct<" + ",".join(f"{f['name']}:{glue_type(f['type'])}" for f in t["fields"]) + ">"
    if t["type"] == "list":
        return f"array<{glue_type(t['element'])}>"
    return f"map<{glue_type(t['key'])},{glue_type(t['value'])}>"


def duck_type(t: IcebergType) -> str:
    """The DuckDB type holding what Athena reads for ``t`` (its Iceberg type, not Glue's)."""
    if isinstance(t, str):
        return t.upper() if t.startswith("decimal") else PRIMITIVES[t][1]
    if t["type"] == "struct":
        return "STRUCT(" + ", ".join(f"{duck_ident(f['name'])} {duck_type(f['type'])}" for f in t["fields"]) + ")"
    if t["type"] == "list":
        return f"{duck_type(t['element'])}[]"
    return f"MAP({duck_type(t['key'])}, {duck_type(t['value'])})"


def from_arrow(t: pa.DataType, ids: Iterator[int]) -> IcebergType:
    """The Iceberg type of an Arrow type (zoned timestamps are `timestamptz`); nested fields, elements, keys and
    values take their ids from ``ids`` (the spec gives each one a field id unique in the table)."""
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pa.types.is_struct(t):
        fields = [t.field(i) for i in range(t.num_fields)]
        return {"type": "struct", "fields": [nested_field(f.name, from_arrow(f.type, ids), ids) for f in fields]}
    if pa.types.is_map(t):
        key_id, value_id = next(ids), next(ids)
        key, value = from_arrow(t.key_type, ids), from_arrow(t.item_type, ids)
        return {
            "type": "map",
            "key-id": key_id,
            "key": key,
            "value-id": value_id,
            "value": value,
            "value-required": False,
        }
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        element_id = next(ids)
        return {
            "type": "list",
            "element-id": element_id,
            "element": from_arrow(t.value_type, ids),
            "element-required": False,
        }
    return _FROM_ARROW[t]


def nested_field(name: str, t: IcebergType, ids: Iterator[int]) -> dict[str, Any]:
    return {"id": next(ids), "name": name, "required": False, "type": t}


def nested_ids(start: int) -> Iterator[int]:
    """Field ids for nested fields, above every top-level id."""
    return itertools.count(start)


def max_field_id(t: IcebergType) -> int:
    """The highest field id inside ``t`` (0 for a primitive): the metadata's `last-column-id` covers them."""
    if isinstance(t, str):
        return 0
    if t["type"] == "struct":
        return max((max(f["id"], max_field_id(f["type"])) for f in t["fields"]), default=0)
    if t["type"] == "list":
        return max(t["element-id"], max_field_id(t["element"]))
    return max(t["key-id"], t["value-id"], max_field_id(t["key"]), max_field_id(t["value"]))
