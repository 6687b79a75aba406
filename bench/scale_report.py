"""The "Scale" section of docs/benchmarks.md: written in place, and kept when the rest of the file is regenerated.

Why: the scale scenarios (``--scale``, ``--csv-gb``, ``--concurrency``) run alone, each in its own session, while
the throughput tables take an hour; each run merges its figures into benchmarks-scale.json and rewrites only this
section, and ``python -m bench`` carries the section over when it regenerates everything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import concurrency, csv_scale, scale

RESULTS = "benchmarks-scale.json"
NOTES = "benchmarks-scale-notes.md"  # hand-written reading of the figures, appended to the section (### headings)
HEADING = "## Scale ("


# A load average above this before the run means other work shared the 2 cores (the bench itself, its stand-in
# and the measured process, brings it to ≈ 1–2 while it runs).
BUSY_LOAD_BEFORE = 2.0


def _load_line(part: dict[str, Any]) -> str:
    busy = float(part["load_before"]) > BUSY_LOAD_BEFORE
    return (
        f"Run {part['date']} at {part['revision']} with `{part['command']}`; 1-minute load average "
        f"{part['load_before']} before, {part['load_after']} after"
        + (" (measured under load: other work shared the 2 cores)." if busy else " (a quiet machine).")
    )


def _scale_part(part: dict[str, Any]) -> list[str]:
    rows = part["runs"][0]["rows"] if part["runs"] else 0
    return [
        f"### {rows:,} rows",
        "",
        _load_line(part),
        "",
        scale.markdown(part["runs"]),
        "",
    ]


def _csv_part(part: dict[str, Any]) -> list[str]:
    return [
        "### The result-CSV path, a ~1 GB result CSV",
        "",
        _load_line(part) + " The workgroup runs Athena engine version 1 (no UNLOAD), so the connector reads "
        "the query's result CSV (every field quoted, as Athena writes it).",
        "",
        csv_scale.markdown(csv_scale.CsvScale(**part["result"])),
        "",
    ]


def _concurrency_part(part: dict[str, Any]) -> list[str]:
    runs = [concurrency.ConcurrencyRun(**r) for r in part["runs"]]
    first = runs[0] if runs else None
    shape = (
        "—"
        if first is None
        else f"{first.slices} one-slice tables (streams)"
        if first.layout == "streams"
        else f"one stream of {first.slices} slices"
    )
    return [
        f"### Concurrent Queries against per-query latency ({shape})",
        "",
        _load_line(part),
        "",
        concurrency.markdown(runs),
        "",
    ]


def section(doc: dict[str, Any], notes: str = "") -> str:
    """The whole section from the merged results (its parts in a fixed order, whichever have run), then
    ``notes``."""
    lines = [f"{HEADING}{doc.get('date', '?')})", ""]
    parts = (
        ("scale", _scale_part),
        ("csv", _csv_part),
        ("concurrency", _concurrency_part),
        ("concurrency_streams", _concurrency_part),
    )
    for key, part in parts:
        if key in doc:
            lines += part(doc[key])
    if notes.strip():
        lines += [notes.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def upsert(markdown: str, new_section: str) -> str:
    """``markdown`` with its Scale section (up to the next ``## `` heading) replaced, or the section appended."""
    lines = markdown.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith(HEADING)), None)
    if start is None:
        return markdown.rstrip("\n") + "\n\n" + new_section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + new_section + ("\n" + tail if tail else "")


def existing_section(markdown: str) -> str | None:
    """The Scale section of ``markdown``, if it has one (to carry it over a regeneration)."""
    lines = markdown.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith(HEADING)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "".join(lines[start:end]).rstrip() + "\n"


def merge(out_dir: Path, date: str, parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """benchmarks-scale.json with ``parts`` (each scenario's figures and run facts) replacing their earlier runs."""
    path = out_dir / RESULTS
    doc: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    doc.update(parts)
    doc["date"] = date
    path.write_text(json.dumps(doc, indent=1))
    return doc


def write(out_dir: Path, doc: dict[str, Any]) -> Path:
    """Rewrite the Scale section of ``out_dir``/benchmarks.md from ``doc``."""
    md = out_dir / "benchmarks.md"
    notes = out_dir / NOTES
    text = section(doc, notes.read_text() if notes.exists() else "")
    md.write_text(upsert(md.read_text() if md.exists() else "# Benchmarks\n", text))
    return md
