"""Which result types UNLOAD's Hive writer refuses, at any depth of a row, array or map.

Why: UNLOAD writes through the Hive writer, which maps each Trino type to a Hive type and recurses into array
elements, map keys and values and row fields; a type with no Hive counterpart fails the query with the leaf's
name: "NOT_SUPPORTED: Unsupported Hive type: <type>" (trinodb/trino plugin/trino-hive .../util/
HiveTypeTranslator.java `toTypeInfo`). Seen for zoned timestamps ("timestamp(6) with time zone", apache/iceberg#15761,
aws/aws-sdk-pandas#86) and time ("time", PyAthena docs/arrow.rst); `uuid` has no case there either. So an Iceberg
struct holding a `timestamptz` field fails an UNLOAD exactly as a top-level one does.
"""

from __future__ import annotations

from duckdb.sqltypes import DuckDBPyType

from .query_errors import AthenaQueryError

# DuckDB type id -> Athena's name for it in the message. `time` as the stand-in has always named it (PyAthena's
# text); Trino prints Iceberg's `time(6)` with its precision.
NOT_HIVE_WRITABLE = {"timestamp with time zone": "timestamp(6) with time zone", "time": "time", "uuid": "uuid"}
_CONTAINERS = ("struct", "list", "array", "map")


def unwritable_leaf(t: DuckDBPyType) -> str | None:
    """Athena's name of the first type inside ``t`` (``t`` itself included) that the Hive writer refuses."""
    if t.id in NOT_HIVE_WRITABLE:
        return NOT_HIVE_WRITABLE[t.id]
    if t.id not in _CONTAINERS:
        return None
    for _name, child in t.children:
        if isinstance(child, DuckDBPyType):
            found = unwritable_leaf(child)
            if found is not None:
                return found
    return None


def check_hive_writable(types: list[DuckDBPyType]) -> None:
    """Refuse the UNLOAD as Athena does when a result column holds a type the Hive writer cannot write."""
    for t in types:
        leaf = unwritable_leaf(t)
        if leaf is not None:
            raise AthenaQueryError("NOT_SUPPORTED", f"Unsupported Hive type: {leaf}")
