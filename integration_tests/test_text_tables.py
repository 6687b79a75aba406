"""Text tables through the command line, read as their SerDe makes Athena read them (text_serdes): an OpenCSV table
with its own quote and escape characters, and JSON whose keys differ in case from Glue's columns."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from integration_tests.claim_runs import discover, read_ok
from integration_tests.connector import configured_catalog
from local_athena import LocalAthena, moto_state

DB = "text_tables"


def _with_file(
    athena: LocalAthena, name: str, columns: dict[str, str], fmt: str, body: bytes, serde: dict[str, Any]
) -> None:
    athena.put_table(DB, name, pa.table({c: pa.array([], pa.string()) for c in columns}), glue_types=columns, fmt=fmt)
    glue = athena.client("glue")
    table = glue.get_table(DatabaseName=DB, Name=name)["Table"]
    sd = table["StorageDescriptor"]
    sd["SerdeInfo"] = serde
    keep = ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
    glue.update_table(DatabaseName=DB, TableInput={k: table[k] for k in keep if k in table})
    bucket, prefix = moto_state.split_s3_url(sd["Location"])
    moto_state.put_object(bucket, f"{prefix}data", body)


def test_open_csv_and_mixed_case_json_read_exactly(athena_sandbox: LocalAthena) -> None:
    open_csv = {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "Parameters": {"separatorChar": ",", "quoteChar": "`", "escapeChar": "\\"},
    }
    body = b"`1`,`a,b`,``\n`2`,`it\\`s`,\\N\n"
    _with_file(athena_sandbox, "quoted", {"id": "bigint", "s": "string", "t": "string"}, "csv", body, open_csv)
    json_serde = {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe", "Parameters": {}}
    body = b'{"Id": 1, "UserName": "Ann"}\n{"ID": 2, "username": null}\n'
    _with_file(athena_sandbox, "events", {"id": "bigint", "username": "string"}, "json", body, json_serde)
    for f in moto_state.list_objects("skoot-data-demo", f"{DB}/"):
        if not f.key.endswith("/data"):  # only the files written above
            moto_state.s3_backend().delete_object(f.bucket, f.key)
    run = read_ok(athena_sandbox, configured_catalog(discover(athena_sandbox, DB)), DB)
    assert sorted(run.rows("quoted"), key=lambda r: r["id"]) == [
        {"id": 1, "s": "a,b", "t": ""},
        {"id": 2, "s": "it`s", "t": "N"},
    ]
    assert sorted(run.rows("events"), key=lambda r: r["id"]) == [
        {"id": 1, "username": "Ann"},
        {"id": 2, "username": None},
    ]
