"""The stand-in's `"$path"` pseudo-column: each row's S3 file, and files pruned (not scanned) by a predicate on it."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from local_athena import LocalAthena
from local_athena.testing import all_rows, run

DATABASE = "path_column"


def _files(athena: LocalAthena, table: str) -> dict[str, int]:
    s3 = athena.client("s3")
    listed = s3.list_objects_v2(Bucket="skoot-data-demo", Prefix=f"{DATABASE}/{table}/")["Contents"]
    return {f"s3://skoot-data-demo/{o['Key']}": o["Size"] for o in listed}


def _query(athena: LocalAthena, sql: str) -> tuple[dict[str, Any], list[list[str | None]]]:
    client = athena.client("athena")
    done = run(client, sql)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    return done, all_rows(client, done["QueryExecutionId"])[1:]


def test_path_names_each_rows_file_and_a_path_predicate_scans_only_that_file(athena: LocalAthena) -> None:
    athena.put_table(DATABASE, "t", pa.table({"id": [1, 2], "dt": ["a", "a"]}), partition_keys=["dt"])
    athena.append_rows(DATABASE, "t", pa.table({"id": [3], "dt": ["a"]}))
    athena.put_table(DATABASE, "u", pa.table({"id": [9]}))  # unpartitioned too
    files = _files(athena, "t")
    assert len(files) == 2

    _, rows = _query(athena, f'SELECT id, "$path" FROM "{DATABASE}"."t" ORDER BY id')
    by_file: dict[str, list[str]] = {}
    for row_id, path in rows:
        assert row_id is not None and path is not None
        by_file.setdefault(path, []).append(row_id)
    assert set(by_file) == set(files) and sorted(v for ids in by_file.values() for v in ids) == ["1", "2", "3"]

    late = next(p for p, ids in by_file.items() if ids == ["3"])
    every, _ = _query(athena, f"""SELECT id FROM "{DATABASE}"."t" WHERE dt = 'a'""")
    done, rows = _query(athena, f"""SELECT id FROM "{DATABASE}"."t" WHERE dt = 'a' AND "$path" IN ('{late}')""")
    assert rows == [["3"]]
    # Bytes scanned are column-pruned (scanned_bytes.py): at most the late file's size, and the other file's
    # bytes are not counted at all.
    scanned, scanned_every = done["Statistics"]["DataScannedInBytes"], every["Statistics"]["DataScannedInBytes"]
    assert 0 < scanned <= files[late] and scanned < scanned_every, "the other file is not scanned"

    _, rows = _query(athena, f'SELECT id, "$path" FROM "{DATABASE}"."u"')
    assert rows == [["9", next(iter(_files(athena, "u")))]]
