"""The stand-in's ORC tables (local_athena/orc_files.py): Glue as AWS holds them, columns mapped by index unless
the SerDe says by name, every type read as the Parquet path reads it, and bytes scanned by column."""

from __future__ import annotations

import pyarrow as pa

from integration_tests.test_values import BASE_TYPES, base_table
from local_athena import LocalAthena, moto_state, orc_files
from local_athena.testing import all_rows, run

DB = "la_orc"


def _rows(athena: LocalAthena, sql: str) -> list[list[str | None]]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return all_rows(client, qe["QueryExecutionId"])[1:]


def _scanned(athena: LocalAthena, sql: str) -> int:
    qe = run(athena.client("athena"), sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    return int(qe["Statistics"]["DataScannedInBytes"])


def _rewrite_files(athena: LocalAthena, table: str, data: pa.Table) -> None:
    """Replace the table's one data file with an ORC file of ``data`` (as another writer left it)."""
    location = athena.client("glue").get_table(DatabaseName=DB, Name=table)["Table"]["StorageDescriptor"]["Location"]
    bucket, prefix = moto_state.split_s3_url(location)
    (f,) = moto_state.list_objects(bucket, prefix)
    moto_state.put_object(bucket, f.key, orc_files.encode(data))


def _set_serde_parameter(athena: LocalAthena, table: str, key: str, value: str) -> None:
    glue = athena.client("glue")
    t = glue.get_table(DatabaseName=DB, Name=table)["Table"]
    sd = t["StorageDescriptor"]
    sd["SerdeInfo"]["Parameters"][key] = value
    keep = ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
    glue.update_table(DatabaseName=DB, TableInput={k: t[k] for k in keep if k in t})


def test_glue_holds_an_orc_table_with_hives_orc_serde_and_formats(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "t", pa.table({"id": [1]}), fmt="orc")
    table = athena_sandbox.client("glue").get_table(DatabaseName=DB, Name="t")["Table"]
    sd = table["StorageDescriptor"]
    assert table["Parameters"]["classification"] == "orc"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
    assert sd["InputFormat"] == "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"
    bucket, prefix = moto_state.split_s3_url(sd["Location"])
    (f,) = moto_state.list_objects(bucket, prefix)
    assert moto_state.s3_backend().get_object(bucket, f.key).value[:3] == b"ORC"


def test_every_type_reads_as_the_same_rows_from_parquet(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "as_orc", base_table(), glue_types=BASE_TYPES, fmt="orc")
    athena_sandbox.put_table(DB, "as_parquet", base_table(), glue_types=BASE_TYPES)
    columns = ", ".join(BASE_TYPES)
    orc = _rows(athena_sandbox, f"SELECT {columns} FROM {DB}.as_orc ORDER BY id")
    parquet = _rows(athena_sandbox, f"SELECT {columns} FROM {DB}.as_parquet ORDER BY id")
    assert len(orc) == 3 and orc == parquet
    assert orc[0][:3] == ["1", "true", "-128"]
    assert orc[2][1:] == [None] * (len(BASE_TYPES) - 1)


def test_columns_are_mapped_by_index_by_default(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "hive_written", pa.table({"id": [1, 2], "name": ["a", "b"]}), fmt="orc")
    # Hive's ORC writer names the columns _col0, _col1…: Athena still reads them, by position.
    _rewrite_files(athena_sandbox, "hive_written", pa.table({"_col0": [1, 2], "_col1": ["a", "b"]}))
    assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.hive_written ORDER BY id") == [["1", "a"], ["2", "b"]]


def test_by_index_a_reordered_file_reads_its_columns_by_position(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "moved", pa.table({"id": ["1"], "name": ["a"]}), fmt="orc")
    _rewrite_files(athena_sandbox, "moved", pa.table({"name": ["a"], "id": ["1"]}))
    assert _rows(athena_sandbox, f"SELECT id, name FROM {DB}.moved") == [["a", "1"]]


def test_index_access_false_maps_by_name(athena_sandbox: LocalAthena) -> None:
    athena_sandbox.put_table(DB, "by_name", pa.table({"id": ["1"], "name": ["a"], "gone": ["x"]}), fmt="orc")
    _rewrite_files(athena_sandbox, "by_name", pa.table({"NAME": ["a"], "id": ["1"], "_col2": ["x"]}))
    _set_serde_parameter(athena_sandbox, "by_name", orc_files.INDEX_ACCESS, "false")
    # By name (case-insensitively): reordered columns line up, a column the file lacks is NULL.
    assert _rows(athena_sandbox, f"SELECT id, name, gone FROM {DB}.by_name") == [["1", "a", None]]


def test_partitioned_orc_takes_partition_values_from_glue(athena_sandbox: LocalAthena) -> None:
    data = pa.table({"id": [1, 2, 3], "day": ["2024-01-01", "2024-01-02", "2024-01-02"]})
    athena_sandbox.put_table(DB, "parts", data, fmt="orc", partition_keys=["day"])
    partitions = athena_sandbox.client("glue").get_partitions(DatabaseName=DB, TableName="parts")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["2024-01-01", "2024-01-02"]
    assert _rows(athena_sandbox, f"SELECT id, day FROM {DB}.parts WHERE day = '2024-01-02' ORDER BY id") == [
        ["2", "2024-01-02"],
        ["3", "2024-01-02"],
    ]


def test_bytes_scanned_count_only_the_streams_of_the_used_columns(athena_sandbox: LocalAthena) -> None:
    wide = pa.table({"id": list(range(2000)), "payload": [f"{i:08d}" * 16 for i in range(2000)]})
    athena_sandbox.put_table(DB, "wide", wide, fmt="orc")
    location = f"s3://skoot-data-demo/{DB}/wide/"
    bucket, prefix = moto_state.split_s3_url(location)
    (f,) = moto_state.list_objects(bucket, prefix)
    everything = _scanned(athena_sandbox, f"SELECT * FROM {DB}.wide")
    assert everything == f.size  # every stream, stripe footer and the tail: the whole file
    only_id = _scanned(athena_sandbox, f"SELECT id FROM {DB}.wide")
    only_payload = _scanned(athena_sandbox, f"SELECT payload FROM {DB}.wide")
    assert 0 < only_id < only_payload < everything
    assert only_id + only_payload > everything  # the file's tail and stripe footers are read either way


def test_column_bytes_add_up_to_the_file_for_zlib_and_uncompressed(tmp_path: object) -> None:
    import pyarrow.orc as po

    for compression in ("zlib", "uncompressed"):
        path = f"{tmp_path}/t-{compression}.orc"
        po.write_table(base_table(), path, compression=compression)
        fixed, per_column = orc_files.column_bytes(path)
        assert len(per_column) == base_table().num_columns
        assert all(size > 0 for size in per_column)
        with open(path, "rb") as fh:
            assert fixed + sum(per_column) == len(fh.read())
