"""The stand-in's partition projection (local_athena/partition_projection.py): what Athena reads of such a table."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from local_athena import LocalAthena
from local_athena.partition_projection import projected_partitions
from local_athena.testing import all_rows, run

DB = "la_projection"


@pytest.fixture
def projected(athena_sandbox: LocalAthena) -> Iterator[LocalAthena]:
    """``la_projection.by_region``: files for eu, us and ap; projection names eu and us; Glue registers only ap."""
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "region": ["eu", "us", "ap"]})
    athena_sandbox.put_table(DB, "by_region", data, partition_keys=["region"], register_partitions=False)
    glue = athena_sandbox.client("glue")
    table = glue.get_table(DatabaseName=DB, Name="by_region")["Table"]
    glue.create_partition(
        DatabaseName=DB,
        TableName="by_region",
        PartitionInput={
            "Values": ["ap"],
            "StorageDescriptor": {
                **table["StorageDescriptor"],
                "Location": table["StorageDescriptor"]["Location"] + "region=ap/",
            },
        },
    )
    parameters = {
        **table["Parameters"],
        "projection.enabled": "true",
        "projection.region.type": "enum",
        "projection.region.values": "eu,us",
    }
    table_input = {k: table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType")}
    glue.update_table(DatabaseName=DB, TableInput={**table_input, "Parameters": parameters})
    yield athena_sandbox


def test_a_projected_table_reads_the_projected_partitions_not_glues(projected: LocalAthena) -> None:
    client = projected.client("athena")
    qe = run(client, f"SELECT id, region FROM {DB}.by_region ORDER BY id")
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    assert all_rows(client, qe["QueryExecutionId"]) == [["id", "region"], ["1", "eu"], ["2", "us"]]


def test_integer_projection_with_digits_and_a_location_template() -> None:
    parameters = {
        "projection.enabled": "true",
        "projection.n.type": "integer",
        "projection.n.range": "1,5",
        "projection.n.interval": "2",
        "projection.n.digits": "3",
        "storage.location.template": "s3://b/t/${n}",
    }
    assert projected_partitions(parameters, ["n"], "s3://b/t/") == [
        (["001"], "s3://b/t/001/"),
        (["003"], "s3://b/t/003/"),
        (["005"], "s3://b/t/005/"),
    ]


def test_projection_off_or_a_type_not_modelled_keeps_glues_partitions() -> None:
    assert projected_partitions({}, ["k"], "s3://b/t/") is None
    date = {"projection.enabled": "true", "projection.k.type": "date", "projection.k.range": "2024-01-01,NOW"}
    assert projected_partitions(date, ["k"], "s3://b/t/") is None
