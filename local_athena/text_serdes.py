"""Text tables read the way Athena's SerDes read them: LazySimpleSerDe, OpenCSVSerde and the two JSON SerDes.

Why: each SerDe has its own rules, and DuckDB's CSV/JSON readers follow none of them exactly:
* LazySimpleSerDe (https://docs.aws.amazon.com/athena/latest/ug/lazy-simple-serde.html): no quoting at all; the
  field delimiter is `field.delim`, else `serialization.format`, else Ctrl-A, a number meaning that byte (Hive
  LazySerDeParameters `getByte`); `\\N` is NULL (`serialization.null.format`); a value that does not parse as the
  column's type is NULL.
* OpenCSVSerde (https://docs.aws.amazon.com/athena/latest/ug/csv-serde.html): `separatorChar`/`quoteChar`/
  `escapeChar` (defaults `,` `"` `"`, opencsv's CSVWriter defaults used by Hive's OpenCSVSerde); no NULL marker:
  an empty field is an empty string, a field missing from a short line is NULL. Non-string columns: BOOLEAN,
  BIGINT, INT, DOUBLE (and the other numbers) are parsed, an empty or invalid value FAILs HIVE_BAD_DATA ("Error
  parsing field value '' for field N"); DATE is days and TIMESTAMP milliseconds since the epoch (UNIX numeric).
* JSON (https://docs.aws.amazon.com/athena/latest/ug/json-serde.html): keys match columns case-insensitively
  (OpenX `case.insensitive`, default true; the Hive JSON SerDe lower-cases field names, and `_colN` names column
  N: trinodb/trino lib/trino-hive-formats .../line/json/JsonDeserializer.java `RowDecoder`); OpenX's
  `mapping.<column>` names the key of a column, keys equal once lower-cased FAIL (`Duplicate key`), a malformed
  line FAILs HIVE_CURSOR_ERROR unless `ignore.malformed.json=true` (then a row of NULLs, as OpenX documents); the
  Hive SerDe keeps the last of duplicate keys.
Files needing their own parsing (OpenCSV, JSON) are read through a normalised copy beside the local copy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import threading
from typing import Any

from .glue_types import duck_ident, glue_to_duck, parse_glue_type
from .moto_state import TableInfo
from .query_errors import AthenaQueryError

OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
OPENX_JSON = "org.openx.data.jsonserde.JsonSerDe"
HIVE_JSON = "org.apache.hive.hcatalog.data.JsonSerDe"
_NUMBERS = {"boolean", "bigint", "int", "integer", "smallint", "tinyint", "double", "float", "real", "decimal"}
_lock = threading.Lock()


def csv_select(info: TableInfo, paths: list[str]) -> tuple[list[str], str]:
    """(column expressions, FROM source) of a CSV/TSV table by its SerDe."""
    if info.serde_library == OPEN_CSV:
        return _open_csv(info, paths)
    return _lazy_simple(info, paths)


def json_select(info: TableInfo, paths: list[str]) -> tuple[list[str], str]:
    """(column expressions, FROM source) of a JSON table: normalised copies keyed by the Glue column names."""
    copies = [_normalised(p, info, "json", _json_lines) for p in paths]
    cols = ", ".join(f"'{n.lower()}': '{glue_to_duck(t)}'" for n, t in info.columns)
    exprs = [duck_ident(n.lower()) for n, _ in info.columns]
    return exprs, f"read_json({_path_list(copies)}, format='newline_delimited', columns={{{cols}}})"


def _lazy_simple(info: TableInfo, paths: list[str]) -> tuple[list[str], str]:
    copies = [_normalised(p, info, "text.json", _lazy_simple_lines) for p in paths]
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(info.columns)))
    exprs = [
        f"TRY_CAST(c{i} AS {glue_to_duck(gtype)}) AS {duck_ident(name.lower())}"
        for i, (name, gtype) in enumerate(info.columns)
    ]
    return exprs, f"read_json({_path_list(copies)}, format='newline_delimited', columns={{{cols}}})"


def _lazy_simple_lines(text: str, info: TableInfo) -> list[dict[str, Any]]:
    """Lines split on the delimiter, no quoting; the NULL marker and fields a short line lacks are NULL."""
    params = info.serde_parameters
    delim = _hive_byte(params.get("field.delim") or params.get("serialization.format") or "1")
    null = params.get("serialization.null.format", "\\N")
    skip = int(info.parameters.get("skip.header.line.count", "0") or 0)
    lines = text.splitlines()[skip:]
    rows = []
    for line in lines:
        fields = line.split(delim)
        rows.append(
            {f"c{i}": None if i >= len(fields) or fields[i] == null else fields[i] for i in range(len(info.columns))}
        )
    return rows


def _hive_byte(value: str) -> str:
    """Hive's delimiter property: a number is that byte ("1" = Ctrl-A), anything else its first character."""
    return chr(int(value)) if value.isdigit() else value[0]


def _open_csv(info: TableInfo, paths: list[str]) -> tuple[list[str], str]:
    copies = [_normalised(p, info, "csv.json", _open_csv_lines) for p in paths]
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(info.columns)))
    exprs = [_open_csv_value(f"c{i}", i, gtype, name) for i, (name, gtype) in enumerate(info.columns)]
    return exprs, f"read_json({_path_list(copies)}, format='newline_delimited', columns={{{cols}}})"


def _open_csv_value(raw: str, index: int, gtype: str, name: str) -> str:
    """One OpenCSV field as its Glue type (module docstring)."""
    kind = parse_glue_type(gtype).name
    duck = glue_to_duck(gtype)
    if kind in _NUMBERS:
        value = f"TRY_CAST({raw} AS {duck})"
    elif kind == "date":
        value = f"CAST(DATE '1970-01-01' + TRY_CAST({raw} AS INTEGER) AS DATE)"
    elif kind == "timestamp":
        value = f"make_timestamp(TRY_CAST({raw} AS BIGINT) * 1000)"
    else:
        return f"TRY_CAST({raw} AS {duck}) AS {duck_ident(name.lower())}"
    bad = (
        f"error('HIVE_BAD_DATA: Error parsing field value ''' || {raw} || ''' for field {index}: "
        f"For input string: \"' || {raw} || '\"')"
    )
    return f"CASE WHEN {raw} IS NULL THEN NULL WHEN {value} IS NULL THEN {bad} ELSE {value} END AS {duck_ident(name.lower())}"


def _open_csv_lines(text: str, info: TableInfo) -> list[dict[str, Any]]:
    params = info.serde_parameters
    quote = params.get("quoteChar") or '"'
    escape = params.get("escapeChar") or '"'
    reader = csv.reader(
        io.StringIO(text),
        delimiter=params.get("separatorChar") or ",",
        quotechar=quote,
        escapechar=None if escape == quote else escape,
        doublequote=True,
    )
    skip = int(info.parameters.get("skip.header.line.count", "0") or 0)
    rows = list(reader)[skip:]
    return [{f"c{i}": row[i] if i < len(row) else None for i in range(len(info.columns))} for row in rows]


def _json_lines(text: str, info: TableInfo) -> list[dict[str, Any]]:
    openx = info.serde_library != HIVE_JSON
    params = info.serde_parameters
    names = [n.lower() for n, _ in info.columns]
    keys = {params.get(f"mapping.{n}", n).lower() if openx else n: n for n in names}
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            pairs = json.loads(line, object_pairs_hook=list)
            if not isinstance(pairs, list):
                raise ValueError("A JSONObject text must begin with '{'")
        except ValueError as e:
            if openx and params.get("ignore.malformed.json", "").lower() == "true":
                out.append({})
                continue
            raise AthenaQueryError("HIVE_CURSOR_ERROR", f"Row is not a valid JSON Object - JSONException: {e}") from e
        out.append(_json_row(pairs, keys, names, openx))
    return out


def _json_row(pairs: list[tuple[str, Any]], keys: dict[str, str], names: list[str], openx: bool) -> dict[str, Any]:
    row: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in pairs:
        lowered = key.lower()
        if openx and lowered in seen:
            raise AthenaQueryError(
                "HIVE_CURSOR_ERROR", f'Row is not a valid JSON Object - JSONException: Duplicate key "{lowered}"'
            )
        seen.add(lowered)
        column = keys.get(lowered)
        if column is None and not openx and lowered.startswith("_col") and lowered[4:].isdigit():
            index = int(lowered[4:])
            column = names[index] if index < len(names) else None
        if column is not None:
            row[column] = value
    return row


def _normalised(path: str, info: TableInfo, suffix: str, convert: Any) -> str:
    """An NDJSON copy of ``path`` converted for ``info``'s columns and SerDe (cached by both)."""
    key = json.dumps([info.serde_library, info.serde_parameters, info.parameters, info.columns], sort_keys=True)
    target = f"{path}.{hashlib.sha1(key.encode()).hexdigest()[:12]}.{suffix}"
    with _lock:
        if not os.path.exists(target):
            with open(path, encoding="utf-8", errors="replace") as fh:
                rows = convert(fh.read(), info)
            tmp = target + ".tmp"
            with open(tmp, "w", encoding="utf-8") as out:
                out.writelines(json.dumps(r) + "\n" for r in rows)
            os.replace(tmp, target)
    return target


def _path_list(paths: list[str]) -> str:
    return "[" + ", ".join(_literal(p) for p in paths) + "]"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
