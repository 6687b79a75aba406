"""A Delta table's log as readers replay it: the last checkpoint, then the commits after it.

Why: writers summarise the log in a checkpoint every 10 commits by default, and log cleanup then deletes the
commits it covers, so most real Delta tables can only be read through their checkpoint. Delta protocol
(https://github.com/delta-io/delta/blob/master/PROTOCOL.md): "Last Checkpoint File" (`_delta_log/_last_checkpoint`,
JSON with the checkpoint's `version`, and `parts` for a multi-part one), "Checkpoints" (classic single-file
`<20-digit version>.checkpoint.parquet`, one action per row in the columns `txn`, `add`, `remove`, `metaData`,
`protocol`; the checkpoint holds the table's state at that version: its live `add`s, with `partitionValues` as a
map of strings); a reader starts from it and replays the commits after it. Modelled: classic single-file
checkpoints pointed to by `_last_checkpoint`. Not modelled (FAIL NOT_SUPPORTED, rather than guessed): multi-part
and V2 checkpoints, and a checkpoint without `_last_checkpoint`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import moto_state
from .query_errors import AthenaQueryError

LOG_DIR = "_delta_log/"
LAST_CHECKPOINT = "_last_checkpoint"
COMMIT = re.compile(r"(\d{20})\.json")
CHECKPOINT = re.compile(r"\d{20}\.checkpoint(\.\d+\.\d+)?\.parquet|\d{20}\.checkpoint\.[^/]+")
_STRINGS = pa.map_(pa.string(), pa.string())
SCHEMA = pa.schema(
    [
        ("protocol", pa.struct([("minReaderVersion", pa.int32()), ("minWriterVersion", pa.int32())])),
        (
            "metaData",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("format", pa.struct([("provider", pa.string()), ("options", _STRINGS)])),
                    ("schemaString", pa.string()),
                    ("partitionColumns", pa.list_(pa.string())),
                    ("configuration", _STRINGS),
                    ("createdTime", pa.int64()),
                ]
            ),
        ),
        (
            "add",
            pa.struct(
                [
                    ("path", pa.string()),
                    ("partitionValues", _STRINGS),
                    ("size", pa.int64()),
                    ("modificationTime", pa.int64()),
                    ("dataChange", pa.bool_()),
                ]
            ),
        ),
    ]
)


def _log_names(bucket: str, prefix: str, account_id: str) -> dict[str, str]:
    """File name in `_delta_log/` -> its key."""
    return {
        f.key[len(prefix + LOG_DIR) :]: f.key for f in moto_state.list_objects(bucket, prefix + LOG_DIR, account_id)
    }


def _maps_as_dicts(value: Any) -> Any:
    """pyarrow gives a map as a list of (key, value) pairs; the log's JSON has objects."""
    if isinstance(value, dict):
        return {k: _maps_as_dicts(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return dict(value)
    return value


def _checkpoint_actions(bucket: str, key: str, account_id: str) -> list[dict[str, Any]]:
    body = moto_state.s3_backend(account_id).get_object(bucket, key).value
    actions = []
    for row in pq.read_table(pa.BufferReader(body)).to_pylist():
        actions += [{name: _maps_as_dicts(value)} for name, value in row.items() if value is not None]
    return actions


def log_actions(bucket: str, prefix: str, account_id: str = moto_state.ACCOUNT_ID) -> list[dict[str, Any]]:
    """Every action a reader replays, in order: the last checkpoint's, then the commits after it."""
    names = _log_names(bucket, prefix, account_id)
    start, actions = -1, []
    if LAST_CHECKPOINT in names:
        body = moto_state.s3_backend(account_id).get_object(bucket, names[LAST_CHECKPOINT]).value
        pointer = json.loads(body)
        single = f"{int(pointer['version']):020d}.checkpoint.parquet"
        if "parts" in pointer or "v2Checkpoint" in pointer or single not in names:
            raise AthenaQueryError(
                "NOT_SUPPORTED", "multi-part and V2 Delta checkpoints are not modelled by the stand-in"
            )
        start, actions = int(pointer["version"]), _checkpoint_actions(bucket, names[single], account_id)
    elif any(CHECKPOINT.fullmatch(n) for n in names):
        raise AthenaQueryError("NOT_SUPPORTED", "a Delta checkpoint without _last_checkpoint is not modelled")
    for name in sorted(n for n in names if (m := COMMIT.fullmatch(n)) and int(m.group(1)) > start):
        body = moto_state.s3_backend(account_id).get_object(bucket, names[name]).value
        actions += [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    return actions


def latest_version(bucket: str, prefix: str) -> int:
    """The log's latest version: its newest commit, or checkpoint when cleanup removed the commits."""
    names = _log_names(bucket, prefix, moto_state.ACCOUNT_ID)
    return max(int(n[:20]) for n in names if COMMIT.fullmatch(n) or CHECKPOINT.fullmatch(n))


def write_checkpoint(location: str, *, cleanup: bool = False) -> int:
    """A classic checkpoint of the table at its latest version and `_last_checkpoint` pointing to it (with
    ``cleanup``, the commits it covers deleted, as log cleanup does); returns its version."""
    bucket, prefix = moto_state.split_s3_url(location)
    names = _log_names(bucket, prefix, moto_state.ACCOUNT_ID)
    version = latest_version(bucket, prefix)
    state: dict[str, Any] = {}
    live: dict[str, dict[str, Any]] = {}
    for action in log_actions(bucket, prefix):
        if "add" in action:
            live[action["add"]["path"]] = action["add"]
        elif "remove" in action:
            live.pop(action["remove"]["path"], None)
        state.update({k: v for k, v in action.items() if k in ("protocol", "metaData")})
    rows = [{"protocol": state["protocol"]}, {"metaData": state["metaData"]}]
    rows += [{"add": {f.name: add.get(f.name) for f in SCHEMA.field("add").type}} for add in live.values()]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    moto_state.put_object(bucket, f"{prefix}{LOG_DIR}{version:020d}.checkpoint.parquet", sink.getvalue().to_pybytes())
    pointer = json.dumps({"version": version, "size": len(rows)}).encode()
    moto_state.put_object(bucket, f"{prefix}{LOG_DIR}{LAST_CHECKPOINT}", pointer)
    for name, key in names.items() if cleanup else ():
        if (m := COMMIT.fullmatch(name)) and int(m.group(1)) <= version:
            moto_state.s3_backend().delete_object(bucket, key)
    return version
