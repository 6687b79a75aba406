"""The result-CSV read path with a ~1 GB result CSV: a ``read``'s peak RSS.

    python -m bench --csv-gb 1.0

The workgroup runs Athena engine version 1, which has no UNLOAD, so the connector runs a plain SELECT and reads
Athena's ``<QueryExecutionId>.csv`` (the stand-in models the engine version per workgroup, as integration_tests/
test_read.py uses it). Issue 17's bar: peak RSS <= 256 MB at 10 columns, as on the UNLOAD path.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import data, standin
from bench.stream_timing import timed_stream
from local_athena import LocalAthena

V1_WORKGROUP = "skoot-v1-bench"
V1_RESULTS = "s3://skoot-athena-results/v1-bench/"
# Bytes per row of the stand-in's result CSV of bench.data's 10-column block (every field quoted), measured on
# 200,000 rows; used only to size the table, the CSV's real size is reported.
CSV_BYTES_PER_ROW_10_COLS = 152
RSS_BAR_MB = 256


@dataclass(frozen=True)
class CsvScale:
    rows: int
    cols: int
    csv_bytes: int | None
    queries: int
    query_kinds: list[str]
    get_query_results_calls: int
    peak_rss_mb: float
    cpu_s: float
    wall_s: float
    streaming_rate: float | None
    records: int
    load: float

    @property
    def within_bar(self) -> bool:
        return self.peak_rss_mb <= RSS_BAR_MB


def rows_for(target_bytes: int, cols: int) -> int:
    """Rows whose result CSV is about ``target_bytes`` (the estimate scales with the number of columns)."""
    return math.ceil(target_bytes / (CSV_BYTES_PER_ROW_10_COLS * cols / 10))


def _csv_size(athena: LocalAthena, query_id: str) -> int | None:
    """The size of the query's result CSV as the stand-in rendered it (its local copy outlives the S3 object,
    which the connector deletes once read)."""
    path = Path(athena.tmpdir) / "results" / f"{query_id}.csv"
    return path.stat().st_size if path.exists() else None


def run(target_bytes: int, cols: int, workdir: Path) -> CsvScale:
    """One table sized for a ``target_bytes`` result CSV, read once through an engine-version-1 workgroup."""
    rows = rows_for(target_bytes, cols)
    athena = standin.start()
    try:
        athena.create_workgroup(V1_WORKGROUP, output_location=V1_RESULTS, engine_version="Athena engine version 1")
        name = data.table_name(rows, cols)
        standin.put(athena, name, data.build_table(rows, cols))
        config = {**standin.connector_config([standin.DATABASE]), "workgroup": V1_WORKGROUP}
        cfg = standin.write_json(workdir / "csv-config.json", config)
        catalog = standin.write_json(
            workdir / "csv-catalog.json", standin.configured_catalog(standin.discover(athena, cfg), [name])
        )
        athena.reset_observations()
        timing = timed_stream(
            standin.connector_argv("read", "--config", str(cfg), "--catalog", str(catalog)),
            standin.child_env(athena),
            timeout_s=3600,
        )
        if timing.returncode != 0 or timing.records != rows:
            raise RuntimeError(f"CSV read: exit {timing.returncode}, {timing.records} of {rows}\n{timing.stderr_tail}")
        queries = athena.queries
        result = CsvScale(
            rows=rows,
            cols=cols,
            csv_bytes=_csv_size(athena, queries[-1].query_execution_id) if queries else None,
            queries=len(queries),
            query_kinds=[q.kind for q in queries],
            get_query_results_calls=athena.calls.get("athena:GetQueryResults", 0),
            peak_rss_mb=timing.peak_rss_mb,
            cpu_s=timing.cpu_s,
            wall_s=timing.ended - timing.started,
            streaming_rate=timing.streaming_rate,
            records=timing.records,
            load=round(os.getloadavg()[0], 1),
        )
    finally:
        athena.stop()
    print(f"bench.csv_scale: {result}", file=sys.stderr, flush=True)
    return result


def markdown(r: CsvScale) -> str:
    size = "—" if r.csv_bytes is None else f"{r.csv_bytes / 1e9:.2f} GB"
    rate = "—" if r.streaming_rate is None else f"{r.streaming_rate:,.0f}"
    verdict = "yes" if r.within_bar else f"**no** (> {RSS_BAR_MB})"
    return "\n".join(
        [
            "| rows × cols | result CSV | queries (kind) | GetQueryResults calls | streaming rec/s | peak RSS MB | "
            "≤ 256 MB | CPU s | wall s | load |",
            "|---|---:|---|---:|---:|---:|---|---:|---:|---:|",
            f"| {r.rows:,} × {r.cols} | {size} | {r.queries} ({', '.join(sorted(set(r.query_kinds)))}) | "
            f"{r.get_query_results_calls} | {rate} | {r.peak_rss_mb:.0f} | {verdict} | {r.cpu_s:.1f} | "
            f"{r.wall_s:.1f} | {r.load} |",
        ]
    )
