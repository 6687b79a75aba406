"""The stand-in's partition projection (local_athena/partition_projection.py): what Athena reads of such a table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pytest

from local_athena import LocalAthena
from local_athena.partition_projection import projected_partitions
from local_athena.projection_dates import date_values
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


def test_enum_values_keep_their_white_space_as_athena_does() -> None:
    # "Any white space is considered part of an enum value" (partition-projection-supported-types.html).
    parameters = {"projection.enabled": "true", "projection.r.type": " enum ", "projection.r.values": "eu, us"}
    assert projected_partitions(parameters, ["r"], "s3://b/t") == [
        (["eu"], "s3://b/t/r=eu/"),
        ([" us"], "s3://b/t/r= us/"),
    ]


def test_date_interval_unit_defaults_to_days_or_months() -> None:
    monthly = {"projection.m.range": "2023-11,2024-01", "projection.m.format": "yyyy-MM"}
    assert date_values(monthly, "m") == ["2023-11", "2023-12", "2024-01"]
    daily = {"projection.d.range": "NOW-2DAYS,NOW", "projection.d.format": "yyyy-MM-dd"}
    assert date_values(daily, "d", now=dt.datetime(2024, 3, 10, 13, 45)) == ["2024-03-08", "2024-03-09", "2024-03-10"]


def test_date_bounds_are_cut_to_the_format_and_months_step_as_java_time() -> None:
    # A 12-hour step over a daily pattern starts at the day's 00:00 (DateProjection.adjustBoundToDateFormat).
    halves = {
        "projection.d.range": "NOW-1DAYS,NOW",
        "projection.d.format": "yyyy-MM-dd",
        "projection.d.interval": "12",
        "projection.d.interval.unit": "HOURS",
    }
    assert date_values(halves, "d", now=dt.datetime(2024, 3, 10, 13, 45)) == ["2024-03-09", "2024-03-09", "2024-03-10"]
    month_ends = {
        "projection.d.range": "2024-01-31,2024-04-30",
        "projection.d.format": "yyyy-MM-dd",
        "projection.d.interval.unit": "MONTHS",
    }
    assert date_values(month_ends, "d") == ["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-29"]


@pytest.mark.parametrize(
    ("projection", "detail"),
    [
        ({"projection.dt.range": "2024-01-03,2024-01-01", "projection.dt.format": "yyyy-MM-dd"}, "sequential"),
        (
            {"projection.dt.range": "2024-01-01-00,2024-01-01-05", "projection.dt.format": "yyyy-MM-dd-HH"},
            "interval.unit' needs to be set",
        ),
        ({"projection.dt.range": "2024-01-01,NOW"}, "Missing required property: 'projection.dt.format'"),
    ],
)
def test_an_invalid_date_projection_fails_the_query(
    athena_sandbox: LocalAthena, projection: dict[str, str], detail: str
) -> None:
    data = pa.table({"id": pa.array([1], pa.int64()), "dt": ["2024-01-01"]})
    parameters = {"projection.enabled": "true", "projection.dt.type": "date", **projection}
    athena_sandbox.put_table(DB, "bad", data, partition_keys=["dt"], register_partitions=False, parameters=parameters)
    qe = run(athena_sandbox.client("athena"), f"SELECT id FROM {DB}.bad")
    assert qe["Status"]["State"] == "FAILED"
    reason = qe["Status"]["StateChangeReason"]
    assert reason.startswith("INVALID_COLUMN_PROPERTY: Column projection for column 'dt' failed.") and detail in reason
