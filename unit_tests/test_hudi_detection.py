"""table_formats: a Hudi table is known by the marks its Glue sync really leaves (the input format; `table_type`
is never set), and a merge-on-read real-time table with timestamp columns is left out with the reason."""

from __future__ import annotations

from typing import Any

from source_skoot_athena.catalog import table_from_glue
from source_skoot_athena.table_formats import TableFormat, hudi_realtime_timestamp_columns, table_format

COW = "org.apache.hudi.hadoop.HoodieParquetInputFormat"
REALTIME = "org.apache.hudi.hadoop.realtime.HoodieParquetRealtimeInputFormat"
PRE_APACHE = "com.uber.hoodie.hadoop.HoodieInputFormat"
PARQUET = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"


def _glue(name: str, input_format: str, columns: dict[str, str], parameters: dict[str, str] | None = None) -> Any:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters or {"EXTERNAL": "TRUE"},
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns.items()],
            "Location": "s3://b/db/t",
            "InputFormat": input_format,
        },
    }


def test_hudi_is_known_by_its_input_format_without_table_type() -> None:
    assert table_format({"EXTERNAL": "TRUE"}, COW) == TableFormat.HUDI
    assert table_format({}, REALTIME) == TableFormat.HUDI
    assert table_format({}, PRE_APACHE) == TableFormat.HUDI
    assert table_format({"spark.sql.sources.provider": "hudi"}) == TableFormat.HUDI
    assert table_format({}, PARQUET) == TableFormat.HIVE


def test_table_from_glue_keeps_the_input_format() -> None:
    table = table_from_glue("db", _glue("people", COW, {"_hoodie_commit_time": "string", "id": "bigint"}))
    assert table.input_format == COW
    assert table_format(table.parameters, table.input_format) == TableFormat.HUDI
    assert table.left_out is None


def test_a_real_time_table_with_a_timestamp_column_is_left_out_with_the_reason() -> None:
    columns = {"id": "bigint", "seen": "timestamp", "tags": "array<timestamp>"}
    table = table_from_glue("db", _glue("events_rt", REALTIME, columns))
    assert table.left_out is not None
    assert "timestamp columns (seen, tags)" in table.left_out and "`_ro`" in table.left_out


def test_only_real_time_tables_and_only_timestamp_types_count() -> None:
    assert hudi_realtime_timestamp_columns(_glue("events_ro", COW, {"seen": "timestamp"})) == []
    assert hudi_realtime_timestamp_columns(_glue("t", PARQUET, {"seen": "timestamp"})) == []
    fields = {"s": "struct<timestamp:bigint,note:string>", "ts_text": "string"}
    assert hudi_realtime_timestamp_columns(_glue("events_rt", REALTIME, fields)) == []
    assert hudi_realtime_timestamp_columns(_glue("events_rt", REALTIME, {"s": "struct<at:timestamp>"})) == ["s"]
