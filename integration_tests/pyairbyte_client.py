"""An outside client: PyAirbyte runs the connector's executable, checks, reads every stream into DuckDB.

Runs in PyAirbyte's own venv (``integration_tests/pyairbyte-requirements.txt``), never in the project's: PyAirbyte
pins pyarrow/duckdb/pandas versions the connector does not use. Usage:

    python pyairbyte_client.py <connector executable> <config.json> <output.json>

The connector is a subprocess of PyAirbyte and inherits this process's environment (AWS_ENDPOINT_URL of the
local Athena stand-in). The output file gets ``{"check": "ok", "streams": [...], "rows": {stream: [row, ...]}}``
with the rows as the default DuckDB cache holds them (PyAirbyte's ``_airbyte_*`` columns dropped), values
made JSON-safe with a type tag where JSON has no type of its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import sys
from pathlib import Path
from typing import Any

# Read by airbyte.constants at import time: no registry look-ups, no telemetry.
os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
os.environ["DO_NOT_TRACK"] = "1"

import airbyte as ab  # after the environment is set


def encode(value: Any) -> Any:
    """A cache value as JSON: numbers, strings, lists and dicts as they are; other types tagged."""
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$timestamp": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def cache_rows(result: Any) -> dict[str, list[dict[str, Any]]]:
    """Every stream's rows as the cache holds them, without PyAirbyte's own ``_airbyte_*`` columns."""
    return {
        name: [{k: encode(v) for k, v in dict(record).items() if not k.startswith("_airbyte_")} for record in dataset]
        for name, dataset in result.streams.items()
    }


def main(executable: str, config_path: str, output_path: str) -> None:
    if "AWS_ENDPOINT_URL" not in os.environ:
        raise SystemExit("AWS_ENDPOINT_URL is not set: the connector would call real AWS")
    config = json.loads(Path(config_path).read_text())
    source = ab.get_source(
        "source-skoot-athena",
        config=config,
        local_executable=executable,
        install_if_missing=False,
    )
    source.check()
    source.select_all_streams()
    output: dict[str, Any] = {"check": "ok", "streams": sorted(source.get_selected_streams())}

    # PyAirbyte reads every stream incrementally with the stream's default cursor; streams without one fail
    # with the connector's message (kept for the test), in a throwaway cache.
    try:
        source.read(ab.new_local_cache("no_cursor_keys"))
        output["no_cursor_keys"] = {"error": None}
    except ab.exceptions.AirbyteConnectorFailedError as exc:
        log = Path(exc.log_file).read_text() if exc.log_file else ""
        output["no_cursor_keys"] = {"error": type(exc).__name__, "exit_code": exc.exit_code, "log": log}

    # As PyAirbyte's docs say: name a cursor where the stream has no default (and primary keys, so the second
    # read merges), then read into the default cache.
    source.set_cursor_keys(ratings="rated_at", catalog_items="item_id")
    source.set_primary_keys(movies="id", ratings="rated_at", catalog_items="item_id")
    first = source.read()
    output["cache"] = type(first.cache).__name__
    output["first"] = {"records": first.processed_records, "rows": cache_rows(first)}
    # Again, from the state PyAirbyte kept in the cache: nothing new upstream, so the cache must not change.
    second = source.read()
    output["second"] = {"records": second.processed_records, "rows": cache_rows(second)}
    Path(output_path).write_text(json.dumps(output, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:4])
