"""results.json -> docs/benchmarks.md (and the PNG through bench/plot.py in the peers venv)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from bench import phases, scale_report, venv

TARGET_FLOOR_RATIO = 1.7
NOT_PEERS = ("connector", "floor", "baseline")  # this project's own readers and the floor are no peers


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _cell(doc: dict[str, Any], peer: str, rows: int, cols: int) -> dict[str, Any] | None:
    for c in doc["throughput"]:
        if c["peer"] == peer and c["rows"] == rows and c["cols"] == cols:
            return dict(c)
    return None


def verdicts(doc: dict[str, Any]) -> list[str]:
    """At each 1M-row size: is the connector ≥ every peer, and within 1.7× of the floor?"""
    out = []
    sizes = sorted({(c["rows"], c["cols"]) for c in doc["throughput"]})
    for rows, cols in sizes:
        if rows < 1_000_000:
            continue
        mine = _cell(doc, "connector", rows, cols)
        if not mine or not mine["rate"]:
            out.append(f"- {rows:,} × {cols}: the connector has no successful run.")
            continue
        faster = [
            c
            for c in doc["throughput"]
            if c["rows"] == rows
            and c["cols"] == cols
            and c["peer"] not in NOT_PEERS
            and c["rate"]
            and c["rate"] > mine["rate"]
        ]
        floor = _cell(doc, "floor", rows, cols)
        ratio = floor["rate"] / mine["rate"] if floor and floor["rate"] else None
        measured = [
            c
            for c in doc["throughput"]
            if c["rows"] == rows and c["cols"] == cols and c["peer"] not in NOT_PEERS and c["rate"]
        ]
        peers_text = (
            "no peer measured"
            if not measured
            else "≥ every peer"
            if not faster
            else "slower than " + ", ".join(f"{c['peer']} ({c['rate'] / mine['rate']:.2f}×)" for c in faster)
        )
        floor_text = (
            "no floor run"
            if ratio is None
            else f"floor/connector = {ratio:.2f}× ({'within' if ratio <= TARGET_FLOOR_RATIO else 'NOT within'} "
            f"{TARGET_FLOOR_RATIO}×)"
        )
        out.append(f"- {rows:,} rows × {cols} columns: {peers_text}; {floor_text}{_versus_baseline(doc, rows, cols)}.")
    return out


def _versus_baseline(doc: dict[str, Any], rows: int, cols: int) -> str:
    """``; baseline (rev) = N× the connector's records/s`` when the run had a baseline reader."""
    mine, old = _cell(doc, "connector", rows, cols), _cell(doc, "baseline", rows, cols)
    if not doc.get("baseline") or not old or not old["rate"] or not mine or not mine["rate"]:
        return ""
    return f"; baseline ({doc['baseline']['revision']}) = {old['rate'] / mine['rate']:.2f}× the connector's records/s"


def _phases_labelled(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The phase rows, the baseline's reader named with its revision (``baseline 408b500``)."""
    if not doc.get("baseline"):
        return list(doc["phases"])
    name = f"baseline {doc['baseline']['revision']}"
    return [{**r, "reader": name} if r["reader"] == "baseline" else r for r in doc["phases"]]


def _baseline_method(doc: dict[str, Any]) -> str:
    """The method sentence about ``--baseline``: what the baseline of this run is, or how to have one."""
    b = doc.get("baseline")
    if not b:
        return (
            " A run with `--baseline PATH` adds the connector of another checkout of this project (its own venv) to "
            "the same rounds, so old and new are measured side by side."
        )
    return (
        f" *baseline* = the connector of another checkout, `{b['path']}` at {b['revision']} (`python -m bench "
        "--baseline PATH`, its own venv), run exactly as the connector (same config, catalog, stand-in, `read` to "
        "/dev/null) in the same rounds: old and new side by side."
    )


def markdown(doc: dict[str, Any]) -> str:
    labels = {p["key"]: p["label"] for p in doc["peers"]}
    lines = [
        "# Benchmarks",
        "",
        f"Measured {doc['date']} on {doc['machine']} (Python {doc['python']}, connector at "
        f"{doc.get('connector_revision', '?')}"
        + (f", baseline at {doc['baseline']['revision']}" if doc.get("baseline") else "")
        + "), against the local Athena stand-in "
        "(moto + DuckDB, `local_athena`) running in the benchmark process. Regenerate with "
        f"`{doc['command']}`.",
        "",
        "Every reader runs as its own process and writes every row as a JSON line to /dev/null; wall time is the "
        "whole process (start-up, query, fetch, decode, encode, write), peak RSS is that process's own "
        "(`/usr/bin/time -f %M`). Medians of the runs listed; runs interleaved, the order of the readers rotated "
        "each round. *vs connector* = the reader's records/s ÷ the connector's. *CPU s* = the process's user + "
        "system CPU seconds (the stand-in's own work on the query is not in it). The machine is shared with "
        f"other work (1-minute load average {doc.get('load_before', '?')} at the start, "
        f"{doc.get('load_after', '?')} at the end), so wall times are noisy; CPU seconds much less so."
        + _baseline_method(doc),
        "",
        *[f"{n}" for n in doc.get("notes", [])],
        *([""] if doc.get("notes") else []),
        "![records/s per reader and size](benchmarks.png)",
        "",
        "## Throughput",
        "",
        "| rows × cols | reader | runs | wall s | records/s | CPU s | peak RSS MB | vs connector | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    sizes = sorted({(c["rows"], c["cols"]) for c in doc["throughput"]})
    order = [p["key"] for p in doc["peers"]]
    for rows, cols in sizes:
        mine = _cell(doc, "connector", rows, cols)
        for key in order:
            c = _cell(doc, key, rows, cols)
            if c is None:
                continue
            ratio = c["rate"] / mine["rate"] if c["rate"] and mine and mine["rate"] else None
            ok = sum(1 for r in c["runs"] if r["returncode"] == 0)
            note = c["note"] if len(c["note"]) <= 110 else c["note"][:110] + "… (see below)"
            name = f"**{labels[key]}**" if key == "connector" else labels[key]
            lines.append(
                f"| {rows:,} × {cols} | {name} | {ok} | {_fmt(c['wall_s'], '.2f')} | {_fmt(c['rate'], ',.0f')} | "
                f"{_fmt(c.get('cpu_s'), '.1f')} | {_fmt(c['rss_mb'], ',.0f')} | {_fmt(ratio, '.2f')} | {note} |"
            )
    lines += ["", "### At 1M rows", "", *verdicts(doc), ""]
    if doc.get("phases"):
        lines += [
            "## Phase split and memory per UNLOAD file size",
            "",
            "One `read` split at the stand-in's query timestamps (GetQueryExecution's SubmissionDateTime and "
            "CompletionDateTime) and the first and last RECORD line on the process's stdout (a pipe read by the "
            "benchmark): start-up = process start → query submitted; query; query done → first record; streaming "
            "= records ÷ (last record − first record). The floor is timed the same way (its start-up runs until "
            "its first record). *UNLOAD file rows* = rows per Parquet file the stand-in's UNLOAD writes "
            "(`python -m bench.phases`, or `python -m bench --phases`).",
            "",
            phases.markdown(_phases_labelled(doc)),
            "",
        ]
    if doc.get("discovery"):
        d = doc["discovery"]
        calls = ", ".join(f"{k.split(':')[1]} {v}" for k, v in d["glue_calls"].items())
        lines += [
            "## Discovery",
            "",
            f"`discover` of {d['databases']} databases × {d['tables']} tables ({d['streams']:,} streams, the demo "
            f"database included): **{d['wall_s']:.1f} s** wall, peak RSS {d['peak_rss_mb']:.0f} MB, "
            f"Glue calls: {sum(d['glue_calls'].values())} ({calls}).",
            "",
        ]
    if doc.get("incremental"):
        i = doc["incremental"]
        share = i["incremental_scanned_bytes"] / i["full_scanned_bytes"] if i["full_scanned_bytes"] else 0
        partitions_worth = share * i["partitions"]
        lines += [
            "## Incremental versus full",
            "",
            f"A table partitioned by a `dt` string key, {i['partitions']} partitions × {i['rows_per_partition']:,} "
            "rows. Full sync (incremental mode, no state), then one partition appended and an incremental sync "
            "(cursor `dt`) from the full sync's final STATE. Bytes scanned: sum of `DataScannedInBytes` of the "
            "sync's queries as the stand-in reports them.",
            "",
            "| sync | records | queries | bytes scanned | wall s |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| full | {i['full_records']:,} | {i['full_queries']} | {i['full_scanned_bytes']:,} | "
            f"{i['full_wall_s']:.1f} |",
            f"| incremental (1 new partition) | {i['incremental_records']:,} | {i['incremental_queries']} | "
            f"{i['incremental_scanned_bytes']:,} | {i['incremental_wall_s']:.1f} |",
            "",
            f"The incremental sync scanned {share:.1%} of the full sync's bytes, "
            f"{partitions_worth:.2f}× one partition's "
            "average: the state names the files already read in the recent partitions, so only files not read "
            'before are scanned (README, "Incremental sync and state").',
            "",
        ]
    versions = ", ".join(f"{k} {v}" for k, v in doc.get("versions", {}).items())
    lines += [
        "## Readers",
        "",
        "- **source-skoot-athena read**: the connector's command line, `read --config --catalog` (full refresh), "
        "UNLOAD to Parquet.",
        *(
            [
                f"- **baseline**: the same command line from `{doc['baseline']['path']}` at "
                f"{doc['baseline']['revision']} (`{doc['baseline']['program']}`), same config and catalog."
            ]
            if doc.get("baseline")
            else []
        ),
        "- **floor**: the same Parquet file read directly with pyarrow, `to_pylist()` and one `orjson.dumps` of "
        "the RECORD message per row (no connector, no query).",
        "- **PyAthena Cursor**: the default cursor, GetQueryResults paging (what Singer's tap-athena uses).",
        "- **PyAthena ArrowCursor** (result CSV) and **ArrowCursor unload=True** (UNLOAD Parquet), `as_arrow()` "
        "then rows. PyAthena builds its `pyarrow.fs.S3FileSystem` without an endpoint setting and pyarrow ignores "
        "`AWS_ENDPOINT_URL` (apache/arrow#49643), so `bench/peer.py` gives that filesystem the stand-in's "
        "endpoint (`endpoint_override`); nothing else is changed.",
        "- **awswrangler** `athena.read_sql_query(ctas_approach=False, chunksize=True)`, result CSV and "
        "`unload_approach=True`, rows from each DataFrame chunk.",
        "- The peers write rows with orjson (`default=str`), the cheapest JSON there is, so they are measured on "
        "their fetch paths; both libraries poll the query state every 1 s (their default).",
        "",
        f"Peers' venv (`bench/.venv-peers`, from `bench/requirements-peers.txt`): {versions or 'not installed'}.",
        "",
    ]
    return "\n".join(lines)


def write(doc: dict[str, Any], out_dir: Path, results_json: Path) -> list[Path]:
    md = out_dir / "benchmarks.md"
    notes = out_dir / "benchmarks-notes.md"  # hand-written findings (profiles), kept across regenerations
    text = markdown(doc) + ("\n" + notes.read_text() if notes.exists() else "")
    # The Scale section: this run's scale scenarios, else the one already there (they run on their own).
    scale_notes = out_dir / scale_report.NOTES
    notes_text = scale_notes.read_text() if scale_notes.exists() else ""
    scale = scale_report.section(doc["scale"], notes_text) if doc.get("scale") else None
    kept = scale or (scale_report.existing_section(md.read_text()) if md.exists() else None)
    md.write_text(scale_report.upsert(text, kept) if kept else text)
    written = [md]
    if venv.peers_python().exists():
        png = out_dir / "benchmarks.png"
        subprocess.run(
            [str(venv.peers_python()), str(Path(__file__).parent / "plot.py"), str(results_json), str(png)], check=True
        )
        written.append(png)
    return written
