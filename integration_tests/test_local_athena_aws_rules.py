"""The stand-in is not more lenient than AWS: Glue's names, Athena's bytes scanned, Athena's active-query quota."""

from __future__ import annotations

from typing import Any

import botocore.config
import botocore.exceptions
import pyarrow as pa
import pytest

from local_athena import LocalAthena
from local_athena.glue_names import GlueValidationError
from local_athena.testing import all_rows, run, wait, wait_until

NO_RETRY = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _create_table(glue: Any, database: str, table: str, columns: list[tuple[str, str]], **extra: Any) -> None:
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": table,
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t, **extra} for n, t in columns],
                "Location": f"s3://skoot-data-demo/{database}/{table}/",
            },
            "PartitionKeys": [{"Name": "Day", "Type": "string"}],
        },
    )


# --- Glue names --------------------------------------------------------------------------------------------------
def test_glue_lower_cases_database_table_and_column_names(athena_sandbox: LocalAthena) -> None:
    glue = athena_sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "Names_DB"})
    _create_table(glue, "names_db", "MixedCase", [("UpperCol", "int"), ("tab\tcol", "string")])
    assert "names_db" in {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    table = glue.get_table(DatabaseName="names_db", Name="mixedcase")["Table"]
    assert table["Name"] == "mixedcase"
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["uppercol", "tab\tcol"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["day"]


@pytest.mark.parametrize(
    ("table", "column", "comment", "member"),
    [
        ("new\nline", "c", None, "tableInput.name"),
        ("t", "carriage\rreturn", None, "tableInput.storageDescriptor.columns.1.member.name"),
        ("t", "c", "two\nlines", "tableInput.storageDescriptor.columns.1.member.comment"),
        ("é" * 128, "c", None, "tableInput.name"),
    ],
    ids=["table-newline", "column-cr", "comment-newline", "table-256-bytes"],
)
def test_glue_refuses_names_outside_its_single_line_pattern(
    athena_sandbox: LocalAthena, table: str, column: str, comment: str | None, member: str
) -> None:
    glue = athena_sandbox.client("glue")
    glue.create_database(DatabaseInput={"Name": "names_bad"})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        _create_table(glue, "names_bad", table, [(column, "string")], **({"Comment": comment} if comment else {}))
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert f"at '{member}' failed to satisfy constraint" in err.value.response["Error"]["Message"]
    assert glue.get_tables(DatabaseName="names_bad")["TableList"] == []


def test_put_table_keeps_what_glue_keeps(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    athena.put_table("Names_Put", "Upper_T", pa.table({"MixedCol": [1, 2], "P": ["a", "b"]}), partition_keys=["P"])
    table = athena.client("glue").get_table(DatabaseName="names_put", Name="upper_t")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["mixedcol"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["p"]
    c = athena.client("athena")
    qe = run(c, 'SELECT "MixedCol", p FROM names_put."UPPER_T" ORDER BY 1')  # Athena resolves names lower-cased
    assert all_rows(c, qe["QueryExecutionId"])[1:] == [["1", "a"], ["2", "b"]]
    with pytest.raises(GlueValidationError, match=r"at 'tableInput\.name' failed to satisfy constraint"):
        athena.put_table("names_put", "bad\nname", pa.table({"v": [1]}))


# --- bytes scanned -----------------------------------------------------------------------------------------------
def test_parquet_bytes_scanned_follow_column_pruning(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    c = athena.client("athena")
    wide = pa.table({"id": list(range(2000)), "blob": [f"{i:04d}" * 50 for i in range(2000)]})
    athena.put_table("scan_cols", "wide", wide)

    def scanned(sql: str) -> int:
        qe = run(c, sql)
        assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
        return int(qe["Statistics"]["DataScannedInBytes"])

    everything = scanned("SELECT * FROM scan_cols.wide")
    assert scanned("SELECT id, blob FROM scan_cols.wide") == everything
    only_id = scanned("SELECT id FROM scan_cols.wide WHERE id > 10")
    only_blob = scanned("SELECT max(blob) FROM scan_cols.wide")
    footer_only = scanned("SELECT count(*) FROM scan_cols.wide")
    assert 0 < footer_only < only_id < only_blob < everything
    assert only_id + only_blob - footer_only == everything, "each column's chunks are counted once"
    size = athena.client("s3").list_objects_v2(Bucket="skoot-data-demo", Prefix="scan_cols/wide/")["Contents"][0]
    assert everything <= size["Size"], "never more than the object"


def test_row_formats_are_scanned_whole(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    athena.put_table("scan_cols", "rows_csv", pa.table({"id": [1, 2], "s": ["a", "b"]}), fmt="csv")
    (obj,) = athena.client("s3").list_objects_v2(Bucket="skoot-data-demo", Prefix="scan_cols/rows_csv/")["Contents"]
    qe = run(athena.client("athena"), "SELECT id FROM scan_cols.rows_csv")
    assert qe["Statistics"]["DataScannedInBytes"] == obj["Size"]


# --- table formats the stand-in does not model ----------------------------------------------------------------
def test_a_table_glue_marks_hudi_is_not_read_as_hive(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    athena.put_table("formats", "hudi", pa.table({"id": [1]}), parameters={"table_type": "HUDI"})
    qe = run(athena.client("athena"), "SELECT id FROM formats.hudi")
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: HUDI table formats.hudi is not modelled")


# --- the active-query quota ----------------------------------------------------------------------------------------
def test_queries_over_the_active_query_quota_are_refused(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    athena.max_active_queries = 2
    delay = athena.faults.delay_query("SELECT 'held'", 60)
    c = athena.client("athena", config=NO_RETRY)
    held = [c.start_query_execution(QueryString=f"SELECT 'held', {i}", WorkGroup="skoot") for i in range(2)]
    held_ids = [h["QueryExecutionId"] for h in held]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        c.start_query_execution(QueryString="SELECT 'one too many'", WorkGroup="skoot")
    assert err.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert err.value.response["Reason"] == "CONCURRENT_QUERY_LIMIT_EXCEEDED"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [q.sql for q in athena.queries] == [f"SELECT 'held', {i}" for i in range(2)], "the refused one never ran"
    assert athena.refused_queries == 1
    assert delay.fired == 2

    c.stop_query_execution(QueryExecutionId=held_ids[0])  # a finished (here: cancelled) query frees its slot
    assert wait(c, held_ids[0])["Status"]["State"] == "CANCELLED"
    qid = c.start_query_execution(QueryString="SELECT 'fits again'", WorkGroup="skoot")["QueryExecutionId"]
    assert wait(c, qid)["Status"]["State"] == "SUCCEEDED"
    c.stop_query_execution(QueryExecutionId=held_ids[1])
    assert wait_until(lambda: athena.query_finished(held_ids[1], timeout=0))


def test_the_quota_is_off_by_default(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    assert athena.max_active_queries is None
    athena.faults.delay_query("SELECT 'many'", 60)
    c = athena.client("athena", config=NO_RETRY)
    ids = [c.start_query_execution(QueryString=f"SELECT 'many', {i}", WorkGroup="skoot") for i in range(5)]
    for started in ids:
        c.stop_query_execution(QueryExecutionId=started["QueryExecutionId"])
    assert {wait(c, s["QueryExecutionId"])["Status"]["State"] for s in ids} == {"CANCELLED"}
