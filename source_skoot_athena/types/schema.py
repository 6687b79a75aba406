"""The JSON schema discover announces for a column: every node nullable, since Athena values and nested
elements can all be NULL.

Decimals are plain `number`: the Airbyte type system has no decimal `airbyte_type` (the CDK's catalog checks
know only the timestamp/time ones and `integer`); the values carry every digit.
"""

from __future__ import annotations

from typing import Any, Final

from source_skoot_athena.types.model import FLOAT_KINDS, INTEGER_KINDS, STRING_KINDS, AthenaType, Kind

_STRING: Final = ["null", "string"]
_LEAF_SCHEMAS: Final[dict[Kind, dict[str, Any]]] = {
    Kind.BOOLEAN: {"type": ["null", "boolean"]},
    **{kind: {"type": ["null", "integer"]} for kind in INTEGER_KINDS},
    **{kind: {"type": ["null", "number"]} for kind in (*FLOAT_KINDS, Kind.DECIMAL)},
    **{kind: {"type": _STRING} for kind in (*STRING_KINDS, Kind.UNKNOWN)},
    Kind.DATE: {"type": _STRING, "format": "date"},
    Kind.TIMESTAMP: {"type": _STRING, "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
    Kind.TIMESTAMP_TZ: {"type": _STRING, "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
    Kind.TIME: {"type": _STRING, "format": "time", "airbyte_type": "time_without_timezone"},
    Kind.TIME_TZ: {"type": _STRING, "format": "time", "airbyte_type": "time_with_timezone"},
    Kind.VARBINARY: {"type": _STRING, "contentEncoding": "base64"},
    Kind.JSON: {},
}
# The kinds whose values the schema declares as JSON strings: the encoder quotes them whatever Arrow type
# they arrive as (e.g. an unknown type that Parquet delivers as integers).
STRING_SCHEMA_KINDS: Final = frozenset(kind for kind, schema in _LEAF_SCHEMAS.items() if schema.get("type") == _STRING)


def json_schema(t: AthenaType) -> dict[str, Any]:
    """The JSON schema of a column of this type (a fresh dict each call, safe to mutate)."""
    if t.kind == Kind.ARRAY:
        return {"type": ["null", "array"], "items": json_schema(t.children[0])}
    if t.kind == Kind.MAP:
        return {"type": ["null", "object"], "additionalProperties": json_schema(t.children[1])}
    if t.kind == Kind.ROW:
        properties = {name: json_schema(child) for name, child in zip(t.field_names, t.children, strict=True)}
        return {"type": ["null", "object"], "properties": properties}
    schema = dict(_LEAF_SCHEMAS.get(t.kind, _LEAF_SCHEMAS[Kind.UNKNOWN]))
    if "type" in schema:
        schema["type"] = list(schema["type"])
    return schema
