"""10M rows: a ``read``'s peak RSS and streaming rate over the floor's, at two UNLOAD file layouts.

    python -m bench --scale [--scale-rows 10000000] [--scale-cols 10]

Issue 17's bar: peak RSS <= 256 MB at 10 columns whatever the UNLOAD file size, a file whose only row group holds
2.5M rows included. One run each (RSS and the query count do not depend on load; the streaming ratio is against
the floor run in the same session, on the same table).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import phases, standin
from bench.unload_layout import STANDIN_ROW_GROUP_ROWS, unload_files
from local_athena import result_files

RSS_BAR_MB = {10: 256, 50: 320}  # issue 17, item 1


@dataclass(frozen=True)
class Layout:
    """How the stand-in's UNLOAD writes its files for one run."""

    rows_per_file: int
    one_row_group: bool = False

    @property
    def label(self) -> str:
        groups = "one row group" if self.one_row_group else f"{STANDIN_ROW_GROUP_ROWS:,}-row row groups"
        return f"{self.rows_per_file:,}-row files, {groups}"


DEFAULT_LAYOUTS = (Layout(result_files.ROWS_PER_UNLOAD_FILE), Layout(2_500_000, one_row_group=True))


def run(rows: int, cols: int, layouts: tuple[Layout, ...], workdir: Path) -> list[dict[str, Any]]:
    """The floor once, then one connector ``read`` per layout; each as a dict of PhaseRun + its layout."""
    athena = standin.start()
    out: list[dict[str, Any]] = []
    try:
        (table,) = phases.prepare(athena, [(rows, cols)], workdir)
        floor = phases.floor_run(athena, table.parquet, table.name, rows, cols)
        phases.log(floor)
        out.append({**asdict(floor), "layout": "—"})
        for layout in layouts:
            with unload_files(layout.rows_per_file, one_row_group=layout.one_row_group):
                measured = phases.connector_run(athena, table.argv, rows, cols, layout.rows_per_file)
            phases.log(measured)
            out.append({**asdict(measured), "layout": layout.label, "one_row_group": layout.one_row_group})
    finally:
        athena.stop()
    floor_rate = out[0]["streaming_rate"]
    for r in out[1:]:
        r["over_floor"] = r["streaming_rate"] / floor_rate if r["streaming_rate"] and floor_rate else None
        r["rss_bar_mb"] = RSS_BAR_MB.get(cols)
    print(f"bench.scale: {out}", file=sys.stderr, flush=True)
    return out


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def markdown(runs: list[dict[str, Any]]) -> str:
    """The 10M-row runs as a table (the floor first)."""
    lines = [
        "| reader | rows × cols | UNLOAD files | queries | query s | query done → 1st record s | streaming rec/s | "
        "÷ floor | peak RSS MB | ≤ bar | CPU s | load |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in runs:
        bar = r.get("rss_bar_mb")
        verdict = "—" if bar is None else ("yes" if r["peak_rss_mb"] <= bar else f"**no** (> {bar})")
        lines.append(
            f"| {r['reader']} | {r['rows']:,} × {r['cols']} | {r['layout']} | {r['queries']} | "
            f"{_fmt(r['query_s'], '.1f')} | {_fmt(r['to_first_record_s'], '.2f')} | "
            f"{_fmt(r['streaming_rate'], ',.0f')} | {_fmt(r.get('over_floor'), '.2f')} | {r['peak_rss_mb']:.0f} | "
            f"{verdict} | {r['cpu_s']:.1f} | {r['load']} |"
        )
    return "\n".join(lines)
