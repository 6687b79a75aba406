"""Discovery of a big Glue catalog, and bytes scanned by an incremental sync versus a full one."""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import data, standin
from bench.proc import measure

PARQUET_SD = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}
COLUMNS = [
    {"Name": "id", "Type": "bigint"},
    {"Name": "name", "Type": "string"},
    {"Name": "amount", "Type": "decimal(12,2)"},
    {"Name": "created_at", "Type": "timestamp"},
    {"Name": "tags", "Type": "array<string>"},
    {"Name": "attrs", "Type": "struct<a:int,b:map<string,double>>"},
]


@dataclass
class Discovery:
    databases: int
    tables: int
    streams: int
    wall_s: float
    peak_rss_mb: float
    glue_calls: dict[str, int]
    setup_s: float


@dataclass
class Incremental:
    partitions: int
    rows_per_partition: int
    full_records: int
    full_scanned_bytes: int
    full_queries: int
    incremental_records: int
    incremental_scanned_bytes: int
    incremental_queries: int
    full_wall_s: float
    incremental_wall_s: float


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def discovery(databases: int, tables: int, workdir: Path, timeout_s: float = 900) -> Discovery:
    """``databases`` x ``tables`` small Glue tables (CreateTable on the stand-in's Glue), then ``discover``."""
    athena = standin.start()
    try:
        started = time.perf_counter()
        glue = athena.client("glue")
        for d in range(databases):
            glue.create_database(DatabaseInput={"Name": f"disc_{d:03d}"})

        def create(d: int) -> None:
            client = athena.client("glue")
            for t in range(tables):
                client.create_table(
                    DatabaseName=f"disc_{d:03d}",
                    TableInput={
                        "Name": f"table_{t:04d}",
                        "TableType": "EXTERNAL_TABLE",
                        "Parameters": {"classification": "parquet"},
                        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
                        "StorageDescriptor": {
                            **PARQUET_SD,
                            "Columns": COLUMNS,
                            "Location": f"s3://skoot-data-demo/disc_{d:03d}/table_{t:04d}/",
                        },
                    },
                )

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(create, range(databases)))
        setup_s = time.perf_counter() - started
        cfg = standin.write_json(workdir / "discovery-config.json", standin.connector_config())
        out = workdir / "discovery-catalog.jsonl"
        athena.reset_observations()
        m = measure(
            standin.connector_argv("discover", "--config", str(cfg)),
            standin.child_env(athena),
            timeout_s=timeout_s,
            stdout_path=str(out),
        )
        if m.returncode != 0:
            raise RuntimeError(f"discover failed: {m.stderr_tail}")
        calls = {k: v for k, v in sorted(athena.calls.items()) if k.startswith("glue:")}
        streams = next(len(x["catalog"]["streams"]) for x in _lines(out) if x.get("type") == "CATALOG")
        out.unlink()
        return Discovery(databases, tables, streams, m.wall_s, m.peak_rss_mb, calls, setup_s)
    finally:
        athena.stop()


def _sync(
    athena: Any, workdir: Path, name: str, cfg: Path, catalog: Path, state: Path | None
) -> tuple[float, list[dict[str, Any]], int, int]:
    before = len(athena.queries)
    out = workdir / f"{name}.jsonl"
    args = ["read", "--config", str(cfg), "--catalog", str(catalog)]
    if state is not None:
        args += ["--state", str(state)]
    m = measure(standin.connector_argv(*args), standin.child_env(athena), timeout_s=900, stdout_path=str(out))
    if m.returncode != 0:
        raise RuntimeError(f"{name} sync failed: {m.stderr_tail}")
    messages = _lines(out)
    out.unlink()
    queries = athena.queries[before:]
    return m.wall_s, messages, sum(q.data_scanned_bytes for q in queries), len(queries)


def incremental(partitions: int, rows_per_partition: int, workdir: Path) -> Incremental:
    """Full sync of a ``dt``-partitioned table, one partition appended, incremental sync from the final STATE."""
    athena = standin.start()
    try:
        standin.put(athena, "events", data.partitioned_table(partitions, rows_per_partition), partition_keys=["dt"])
        cfg = standin.write_json(workdir / "incremental-config.json", standin.connector_config([standin.DATABASE]))
        catalog = standin.write_json(
            workdir / "incremental-catalog.json",
            standin.configured_catalog(standin.discover(athena, cfg), ["events"], cursor="dt"),
        )
        full_wall, full_msgs, full_bytes, full_queries = _sync(athena, workdir, "full", cfg, catalog, None)
        states = [m["state"] for m in full_msgs if m.get("type") == "STATE"]
        if not states:
            raise RuntimeError("the full sync emitted no STATE")
        state_path = standin.write_json(workdir / "incremental-state.json", [states[-1]])
        athena.append_rows(standin.DATABASE, "events", data.partitioned_table(1, rows_per_partition, first=partitions))
        inc_wall, inc_msgs, inc_bytes, inc_queries = _sync(athena, workdir, "incremental", cfg, catalog, state_path)

        def records(msgs: list[dict[str, Any]]) -> int:
            return sum(1 for m in msgs if m.get("type") == "RECORD")

        result = Incremental(
            partitions,
            rows_per_partition,
            records(full_msgs),
            full_bytes,
            full_queries,
            records(inc_msgs),
            inc_bytes,
            inc_queries,
            full_wall,
            inc_wall,
        )
        print(f"bench: incremental {result}", file=sys.stderr, flush=True)
        return result
    finally:
        athena.stop()
