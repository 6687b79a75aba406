"""File-level incremental on a partition-key cursor, through the command line against the stand-in: each sync
reads only the data files it has not read (append-only drops: zero duplicates), a late file in a recent older
partition is caught, a deleted file is harmless, the state stays bounded, and the bytes scanned follow the new
files."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa

from integration_tests.connector import DEMO_CONFIG, Run, configured_catalog, run_connector
from integration_tests.test_incremental import blob, last_states, read_queries
from local_athena import LocalAthena
from source_skoot_athena.file_increments import WINDOW_VALUES

DATABASE = "file_inc"
ROWS = 25


def _rows(days: list[str], first_id: int) -> pa.Table:
    n = len(days) * ROWS
    return pa.table(
        {
            "id": pa.array(range(first_id, first_id + n), pa.int64()),
            "payload": pa.array([f"row {i} " + "y" * 60 for i in range(first_id, first_id + n)]),
            "dt": pa.array([d for d in days for _ in range(ROWS)]),
        }
    )


def _day(n: int) -> str:
    return f"2024-03-{n:02d}"


def _read(athena: LocalAthena, catalog: dict[str, Any], state: Any = None) -> Run:
    config = {**DEMO_CONFIG, "databases": [DATABASE]}
    run = run_connector("read", athena.env(), config=config, catalog=catalog, state=state)
    assert run.returncode == 0 and not run.errors, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def _objects(athena: LocalAthena, table: str) -> dict[str, int]:
    listed = athena.client("s3").list_objects_v2(Bucket="skoot-data-demo", Prefix=f"{DATABASE}/{table}/")
    return {o["Key"]: o["Size"] for o in listed.get("Contents", [])}


def test_each_sync_reads_only_files_it_has_not_read(athena: LocalAthena) -> None:
    table = "drops"
    athena.put_table(DATABASE, table, _rows([_day(n) for n in range(1, 11)], 0), partition_keys=["dt"])
    config = {**DEMO_CONFIG, "databases": [DATABASE]}
    (message,) = run_connector("discover", athena.env(), config=config).of_type("CATALOG")
    catalog = configured_catalog(message["catalog"], streams=[table], sync_mode="incremental", cursor={table: "dt"})
    first = _read(athena, catalog)
    assert sorted(r["id"] for r in first.rows(table)) == list(range(10 * ROWS))
    assert len(blob(first, table)["recent_files"]) == WINDOW_VALUES, "the state remembers a bounded window"

    # Append-only drops: a file in the newest partition, a late file in an older one within the window, a new day.
    before = _objects(athena, table)
    athena.append_rows(DATABASE, table, _rows([_day(10)], 1000))
    athena.append_rows(DATABASE, table, _rows([_day(6)], 2000))
    athena.append_rows(DATABASE, table, _rows([_day(11)], 3000))
    new_bytes = sum(size for key, size in _objects(athena, table).items() if key not in before)
    athena.reset_observations()
    second = _read(athena, catalog, last_states(first))
    ids = Counter(r["id"] for r in second.rows(table))
    assert set(ids) == set(range(1000, 1000 + ROWS)) | set(range(2000, 2000 + ROWS)) | set(range(3000, 3000 + ROWS))
    assert max(ids.values()) == 1, "no row twice"
    scanned = sum(q.data_scanned_bytes for q in read_queries(athena, table))
    print(f"bytes scanned {scanned} for {new_bytes} bytes of new files")
    assert 0 < scanned <= 1.2 * new_bytes
    assert blob(second, table)["cursor"] == _day(11)

    # Nothing new: nothing read, no query.
    athena.reset_observations()
    third = _read(athena, catalog, last_states(second))
    assert third.rows(table) == [] and read_queries(athena, table) == []

    # A deleted file is harmless: nothing read, and the state forgets it.
    s3 = athena.client("s3")
    gone = next(key for key in before if f"dt={_day(9)}/" in key)
    s3.delete_object(Bucket="skoot-data-demo", Key=gone)
    fourth = _read(athena, catalog, last_states(third))
    assert fourth.rows(table) == []
    remembered = {
        f"dt={entry['partition'][0]}/{name}" for entry in blob(fourth, table)["recent_files"] for name in entry["files"]
    }
    assert not any(gone.endswith(r) for r in remembered)
    assert len(blob(fourth, table)["recent_files"]) <= WINDOW_VALUES
