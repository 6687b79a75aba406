"""The scale scenarios' parts that run in seconds: the stand-in's UNLOAD layout switch and the Scale section.

The scenarios themselves take minutes (10M rows, a 1 GB CSV, seconds of delay per query), so they are not
smoke-run here; what they rely on is.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import report, scale_report, scale_suite
from bench.concurrency import ConcurrencyRun
from bench.unload_layout import unload_files
from local_athena import LocalAthena, result_files
from local_athena.testing import most_at_once
from local_athena.testing import run as run_query

ROWS = 150_000  # more than one 65,536-row batch of the stand-in's UNLOAD writer per file


def unload_row_groups(athena: LocalAthena, prefix: str) -> list[tuple[int, int]]:
    """UNLOAD the test table to ``prefix``: (rows, row groups) of each file written, in order."""
    target = f"s3://skoot-athena-results/{prefix}/"
    finished = run_query(athena.client("athena"), f"UNLOAD (SELECT n FROM layout_db.numbers ORDER BY n) TO '{target}'")
    assert finished["Status"]["State"] == "SUCCEEDED", finished["Status"]
    s3 = athena.client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="skoot-athena-results", Prefix=prefix)["Contents"])
    out = []
    for key in keys:
        body = s3.get_object(Bucket="skoot-athena-results", Key=key)["Body"].read()
        meta = pq.ParquetFile(io.BytesIO(body)).metadata
        out.append((meta.num_rows, meta.num_row_groups))
    return out


def test_unload_files_sets_file_rows_and_one_row_group_then_restores(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table("layout_db", "numbers", pa.table({"n": pa.array(range(ROWS), pa.int64())}))
    saved_rows, saved_pq = result_files.ROWS_PER_UNLOAD_FILE, result_files.pq

    with unload_files(100_000):
        assert unload_row_groups(athena_sandbox, "layout-default") == [(100_000, 2), (50_000, 2)]
    with unload_files(100_000, one_row_group=True):
        assert unload_row_groups(athena_sandbox, "layout-one") == [(100_000, 1), (50_000, 1)]

    assert (result_files.ROWS_PER_UNLOAD_FILE, result_files.pq) == (saved_rows, saved_pq)


DOC = """# Benchmarks

## Throughput

table

## Scale (2026-11-30)

old figures

## Readers

list
"""


def test_upsert_replaces_only_the_scale_section_and_appends_when_missing() -> None:
    new = "## Scale (2026-12-01)\n\nnew figures\n"
    replaced = scale_report.upsert(DOC, new)
    assert replaced == DOC.replace("## Scale (2026-11-30)\n\nold figures\n", new)
    assert scale_report.existing_section(replaced) == new
    without = DOC.replace("## Scale (2026-11-30)\n\nold figures\n\n", "")
    assert scale_report.existing_section(without) is None
    assert scale_report.upsert(without, new) == without + "\n" + new


def test_section_renders_each_part_that_has_run() -> None:
    run = ConcurrencyRun("slices", 4, 2, 40, 2.5, 30.0, 40, 12, 2, 2, 2.6, 1, 40_000, 201.0, 0, 3.1)
    assert run.ideal_s == 50.0  # 40 slices, 2 at a time (the quota), 2.5 s each
    facts = {"date": "2026-12-01", "command": "c", "revision": "r", "load_before": 3.0, "load_after": 4.0}
    doc = {"date": "2026-12-01", "concurrency": {"runs": [run.__dict__], **facts}}
    text = scale_report.section(doc)
    assert text.startswith("## Scale (2026-12-01)\n")
    assert "### Concurrent Queries" in text and "### The result-CSV path" not in text
    assert "### Concurrent Queries against per-query latency (one stream of 40 slices)" in text
    assert "| 4 | 2 | 1 | 30.0 | 50.0 |" in text


@pytest.mark.parametrize(("text", "pairs"), [("16:4", [(16, 4)]), ("16:4, 8:2,", [(16, 4), (8, 2)]), ("", [])])
def test_quota_pairs_parse(text: str, pairs: list[tuple[int, int]]) -> None:
    assert scale_suite._pairs(text) == pairs


def test_peak_overlap_counts_queries_active_at_once() -> None:
    assert most_at_once([(0, 2), (1, 3), (2, 4), (5, 6)]) == 2  # one ending as another starts counts once
    assert most_at_once([(0, 10), (1, 2), (1, 3), (2.5, 4)]) == 3
    assert most_at_once([]) == 0


def test_a_full_report_keeps_the_scale_section_already_written(tmp_path: Path) -> None:
    (tmp_path / "benchmarks.md").write_text(DOC)
    doc = {"date": "2026-12-02", "machine": "m", "python": "3.11", "command": "c", "peers": [], "throughput": []}
    (tmp_path / "benchmarks.json").write_text(json.dumps(doc))  # as `python -m bench` writes it before the report
    report.write(doc, tmp_path, tmp_path / "benchmarks.json")
    text = (tmp_path / "benchmarks.md").read_text()
    assert text.startswith("# Benchmarks\n\nMeasured 2026-12-02")
    assert scale_report.existing_section(text) == "## Scale (2026-11-30)\n\nold figures\n"
