"""The stand-in's text SerDes (local_athena/text_serdes.py): LazySimpleSerDe, OpenCSVSerde and the OpenX and Hive
JSON SerDes read files as Athena does, each by its own rules."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from local_athena import LocalAthena, moto_state
from local_athena.testing import all_rows, run

DB = "la_serdes"
OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
HIVE_JSON = "org.apache.hive.hcatalog.data.JsonSerDe"


def _table(athena: LocalAthena, name: str, columns: dict[str, str], body: bytes, fmt: str, **serde: Any) -> None:
    """A table of ``columns`` whose one file holds ``body``; ``serde`` sets the SerDe library and parameters."""
    athena.put_table(DB, name, pa.table({c: pa.array([], pa.string()) for c in columns}), glue_types=columns, fmt=fmt)
    glue = athena.client("glue")
    table = glue.get_table(DatabaseName=DB, Name=name)["Table"]
    sd = table["StorageDescriptor"]
    if "library" in serde:
        sd["SerdeInfo"]["SerializationLibrary"] = serde.pop("library")
    sd["SerdeInfo"]["Parameters"] = {**sd["SerdeInfo"]["Parameters"], **serde.pop("parameters", {})}
    keep = ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
    glue.update_table(DatabaseName=DB, TableInput={k: table[k] for k in keep if k in table})
    bucket, prefix = moto_state.split_s3_url(sd["Location"])
    for f in moto_state.list_objects(bucket, prefix):
        moto_state.s3_backend().delete_object(bucket, f.key)
    moto_state.put_object(bucket, f"{prefix}data.txt", body)


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def _failure(athena: LocalAthena, sql: str) -> str:
    qe = run(athena.client("athena"), sql)
    assert qe["Status"]["State"] == "FAILED", qe["Status"]
    return str(qe["Status"]["StateChangeReason"])


def test_lazy_simple_serde_does_not_unquote_and_reads_bad_numbers_as_null(athena_sandbox: LocalAthena) -> None:
    body = b'1,"a,b",x\n\\N,,2\n'
    _table(athena_sandbox, "lazy", {"n": "int", "s": "string", "m": "int"}, body, "csv")
    assert _rows(athena_sandbox, f"SELECT n, s, m FROM {DB}.lazy ORDER BY n NULLS LAST") == [
        ["1", '"a', None],  # no quoting: the comma splits the quoted value; "b\"" is not an int
        [None, "", "2"],  # \N is NULL, an empty field an empty string
    ]


def test_lazy_simple_serde_delimiter_defaults_to_ctrl_a(athena_sandbox: LocalAthena) -> None:
    _table(athena_sandbox, "ctrl_a", {"a": "string", "b": "string"}, b"x\x01y,z\n", "csv")
    glue = athena_sandbox.client("glue")
    table = glue.get_table(DatabaseName=DB, Name="ctrl_a")["Table"]
    table["StorageDescriptor"]["SerdeInfo"]["Parameters"] = {"serialization.format": "1"}
    keep = ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
    glue.update_table(DatabaseName=DB, TableInput={k: table[k] for k in keep})
    assert _rows(athena_sandbox, f"SELECT a, b FROM {DB}.ctrl_a") == [["x", "y,z"]]


def test_open_csv_honours_quote_and_escape_chars_and_has_no_null(athena_sandbox: LocalAthena) -> None:
    body = b"`a,b`,`it\\`s`,\\N,\nshort\n"
    params = {"separatorChar": ",", "quoteChar": "`", "escapeChar": "\\"}
    _table(
        athena_sandbox,
        "open",
        {"a": "string", "b": "string", "c": "string", "d": "string"},
        body,
        "csv",
        library=OPEN_CSV,
        parameters=params,
    )
    assert _rows(athena_sandbox, f"SELECT a, b, c, d FROM {DB}.open ORDER BY a") == [
        ["a,b", "it`s", "N", ""],  # escaped chars are literal, \N is no NULL marker, empty is ''
        ["short", None, None, None],  # fields missing from a short line are NULL
    ]


def test_open_csv_reads_numbers_and_unix_dates_and_fails_on_an_empty_number(athena_sandbox: LocalAthena) -> None:
    columns = {"i": "int", "d": "double", "b": "boolean", "day": "date", "ts": "timestamp"}
    body = b'"7","1.5","true","18276","1579059880000"\n'
    _table(athena_sandbox, "typed", columns, body, "csv", library=OPEN_CSV)
    assert _rows(athena_sandbox, f"SELECT i, d, b, day, ts FROM {DB}.typed") == [
        ["7", "1.5", "true", "2020-01-15", "2020-01-15 03:44:40.000"]
    ]
    _table(athena_sandbox, "empty_number", {"i": "int", "s": "string"}, b'"","x"\n', "csv", library=OPEN_CSV)
    reason = _failure(athena_sandbox, f"SELECT i, s FROM {DB}.empty_number")
    assert reason.startswith("HIVE_BAD_DATA: Error parsing field value '' for field 0")


def test_json_keys_match_columns_case_insensitively(athena_sandbox: LocalAthena) -> None:
    body = b'{"ID": 1, "Name": "a"}\n{"id": 2, "name": "b", "extra": true}\n'
    for name, library in (("openx", None), ("hive", HIVE_JSON)):
        serde = {"library": library} if library else {}
        _table(athena_sandbox, name, {"id": "bigint", "name": "string"}, body, "json", **serde)
        assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.{name} ORDER BY id") == [["1", "a"], ["2", "b"]]


def test_openx_mapping_names_the_key_of_a_column(athena_sandbox: LocalAthena) -> None:
    body = b'{"user-id": 7, "ts": "x"}\n'
    _table(athena_sandbox, "mapped", {"user_id": "bigint"}, body, "json", parameters={"mapping.user_id": "user-id"})
    assert _rows(athena_sandbox, f"SELECT user_id FROM {DB}.mapped") == [["7"]]


def test_openx_fails_on_keys_equal_once_lower_cased_the_hive_serde_keeps_the_last(athena_sandbox: LocalAthena) -> None:
    body = b'{"url": "a", "URL": "b"}\n'
    _table(athena_sandbox, "dup", {"url": "string"}, body, "json")
    assert _failure(athena_sandbox, f"SELECT url FROM {DB}.dup") == (
        'HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: Duplicate key "url"'
    )
    _table(athena_sandbox, "dup_hive", {"url": "string"}, body, "json", library=HIVE_JSON)
    assert _rows(athena_sandbox, f"SELECT url FROM {DB}.dup_hive") == [["b"]]


def test_malformed_json_fails_unless_openx_ignores_it(athena_sandbox: LocalAthena) -> None:
    body = b'{"id": 1}\n{"id": 2\n'
    _table(athena_sandbox, "bad", {"id": "bigint"}, body, "json")
    assert _failure(athena_sandbox, f"SELECT id FROM {DB}.bad").startswith(
        "HIVE_CURSOR_ERROR: Row is not a valid JSON Object"
    )
    _table(athena_sandbox, "ignored", {"id": "bigint"}, body, "json", parameters={"ignore.malformed.json": "true"})
    assert _rows(athena_sandbox, f"SELECT id FROM {DB}.ignored ORDER BY id NULLS LAST") == [["1"], [None]]


def test_hive_json_maps_col_n_keys_by_position(athena_sandbox: LocalAthena) -> None:
    body = b'{"_col0": 5, "_col1": "e"}\n'
    _table(athena_sandbox, "positional", {"id": "bigint", "name": "string"}, body, "json", library=HIVE_JSON)
    assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.positional") == [["5", "e"]]
