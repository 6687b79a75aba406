"""Projected partition values as Athena computes them (projection_values.py), and where each one lives
(projection_slices.py)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from local_athena.partition_projection import projected_partitions as stand_in_partitions
from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.projection_slices import listing_root, location_of, projected_lister, projected_partitions
from source_skoot_athena.projection_values import NotProjectable, key_values, projected_values, strftime_pattern
from source_skoot_athena.types import parse_type

NOW = dt.datetime(2024, 3, 10, 13, 45, 30)


def _key(name: str, glue_type: str = "string") -> Column:
    return Column(name, parse_type(glue_type), is_partition_key=True)


def _values(parameters: dict[str, str], key: Column, now: dt.datetime = NOW) -> list[str]:
    return [
        value for value, _ in key_values({f"projection.{key.name}.{k}": v for k, v in parameters.items()}, key, now)
    ]


def test_enum_values_keep_their_white_space() -> None:
    assert _values({"type": " ENUM ", "values": "eu,us, ap"}, _key("r")) == ["eu", "us", " ap"]


def test_integer_range_interval_and_digits() -> None:
    assert _values({"type": "integer", "range": " 1 , 7 ", "interval": "3", "digits": "3"}, _key("n")) == [
        "001",
        "004",
        "007",
    ]
    # Java's %02d counts the sign in the width, as the stand-in's zfill does.
    assert _values({"type": "integer", "range": "-2,1", "digits": "2"}, _key("n", "int")) == ["-2", "-1", "00", "01"]


def test_date_range_with_now_arithmetic_is_cut_to_the_format() -> None:
    daily = {"type": "date", "range": "NOW-2DAYS,NOW", "format": "yyyy-MM-dd"}
    assert _values(daily, _key("dt")) == ["2024-03-08", "2024-03-09", "2024-03-10"]
    hourly = {"type": "date", "range": "NOW - 2 HOURS,NOW", "format": "yyyy/MM/dd/HH", "interval.unit": "hours"}
    assert _values(hourly, _key("dt")) == ["2024/03/10/11", "2024/03/10/12", "2024/03/10/13"]


def test_default_interval_unit_is_days_or_months_and_sub_day_formats_need_one() -> None:
    monthly = {"type": "date", "range": "2023-11,2024-02", "format": "yyyy-MM"}
    assert _values(monthly, _key("m")) == ["2023-11", "2023-12", "2024-01", "2024-02"]
    weekly = {"type": "date", "range": "2024-01-01,2024-01-20", "format": "yyyy-MM-dd", "interval": "7"}
    assert _values(weekly, _key("d")) == ["2024-01-01", "2024-01-08", "2024-01-15"]
    with pytest.raises(NotProjectable, match=r"interval\.unit is required"):
        _values({"type": "date", "range": "NOW-1DAYS,NOW", "format": "yyyy-MM-dd-HH"}, _key("h"))


def test_months_step_from_the_month_end_as_java_time_does() -> None:
    parameters = {"type": "date", "range": "2024-01-31,2024-04-30", "format": "yyyy-MM-dd", "interval.unit": "MONTHS"}
    assert _values(parameters, _key("d")) == ["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-29"]


def test_quoted_text_in_the_pattern_and_unknown_letters() -> None:
    assert strftime_pattern("yyyy-MM-dd'T'HH'h'") == "%Y-%m-%dT%Hh"
    with pytest.raises(NotProjectable, match="pattern letter 'E'"):
        strftime_pattern("EEE yyyy")


def test_a_date_or_timestamp_key_holds_the_date_and_its_location_the_formatted_text() -> None:
    parameters = {"type": "date", "range": "2024/01/01,2024/01/02", "format": "yyyy/MM/dd"}
    full = {f"projection.d.{k}": v for k, v in parameters.items()}
    assert list(key_values(full, _key("d", "date"), NOW)) == [
        ("2024-01-01", "2024/01/01"),
        ("2024-01-02", "2024/01/02"),
    ]
    full = {k.replace(".d.", ".t."): v for k, v in full.items()}
    assert next(key_values(full, _key("t", "timestamp"), NOW))[0] == "2024-01-01 00:00:00.000"


def test_a_range_that_ends_before_it_starts_or_an_unknown_type_is_not_enumerated() -> None:
    with pytest.raises(NotProjectable):
        _values({"type": "date", "range": "2024-02-01,2024-01-01", "format": "yyyy-MM-dd"}, _key("d"))
    with pytest.raises(NotProjectable):
        _values({"type": "integer", "range": "5,1"}, _key("n"))
    with pytest.raises(NotProjectable, match="'injected'"):
        _values({"type": "injected"}, _key("device"))


def test_combinations_past_the_limit_are_refused_before_they_are_all_enumerated() -> None:
    parameters = {
        "projection.a.type": "enum",
        "projection.a.values": "x,y,z",
        "projection.h.type": "date",
        "projection.h.range": "2000-01-01-00,NOW",  # ~213k hours: stopped at the limit, not enumerated
        "projection.h.format": "yyyy-MM-dd-HH",
        "projection.h.interval.unit": "HOURS",
    }
    with pytest.raises(NotProjectable, match="more than 1,000"):
        projected_values(parameters, [_key("a"), _key("h")], NOW, 1_000)
    assert [len(v) for v in projected_values(parameters, [_key("a")], NOW, 1_000)] == [3]


def _table(parameters: dict[str, str], keys: list[Column]) -> TableInfo:
    columns = (Column("id", parse_type("bigint")), *keys)
    return TableInfo("db", "t", columns, parameters={"projection.enabled": "true", **parameters}, location="s3://b/t/")


def test_locations_follow_the_template_or_the_hive_layout_in_key_order() -> None:
    keys = [_key("region"), _key("n", "int")]
    projection = {
        "projection.region.type": "enum",
        "projection.region.values": "us,eu",
        "projection.n.type": "integer",
        "projection.n.range": "9,10",
    }
    hive = _table(projection, keys)
    assert [(p.values, p.location) for p in projected_partitions(hive, NOW, 100)] == [
        (("eu", "9"), "s3://b/t/region=eu/n=9/"),
        (("eu", "10"), "s3://b/t/region=eu/n=10/"),
        (("us", "9"), "s3://b/t/region=us/n=9/"),
        (("us", "10"), "s3://b/t/region=us/n=10/"),
    ]
    templated = _table({**projection, "storage.location.template": "s3://logs/AWSLogs/${region}/x${n}"}, keys)
    assert location_of(templated, ("eu", "9")) == "s3://logs/AWSLogs/eu/x9/"
    assert listing_root(templated) == "s3://logs/AWSLogs/" and listing_root(hive) == "s3://b/t/"


def test_a_projection_past_the_limit_is_read_in_one_query_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    table = _table({"projection.n.type": "integer", "projection.n.range": "1,1000001"}, [_key("n", "int")])
    with caplog.at_level(logging.INFO):
        assert projected_lister(table, None, logging.getLogger("t")) is None
    assert any("read in one query" in r.message and "more than 100,000 partitions" in r.message for r in caplog.records)
    small = _table({"projection.n.type": "integer", "projection.n.range": "1,3"}, [_key("n", "int")])
    lister = projected_lister(small, None, logging.getLogger("t"))
    assert lister is not None and [p.values for p in lister.partitions(small)] == [("1",), ("2",), ("3",)]


@pytest.mark.parametrize(
    "projection",
    [
        {"projection.k.type": "enum", "projection.k.values": "b, a,c"},
        {"projection.k.type": "integer", "projection.k.range": "-3,12", "projection.k.interval": "4"},
        {"projection.k.type": "integer", "projection.k.range": "0,10", "projection.k.digits": "3"},
        {"projection.k.type": "date", "projection.k.range": "2023-11,2024-02", "projection.k.format": "yyyy-MM"},
        {
            "projection.k.type": "date",
            "projection.k.range": "2024-01-30-22,2024-02-01-02",
            "projection.k.format": "yyyy-MM-dd-HH",
            "projection.k.interval": "3",
            "projection.k.interval.unit": "HOURS",
        },
    ],
)
def test_the_connector_projects_what_the_stand_in_projects(projection: dict[str, str]) -> None:
    table = _table({**projection, "storage.location.template": "s3://b/t/${k}"}, [_key("k")])
    ours = sorted((p.values, p.location) for p in projected_partitions(table, NOW, 1_000))
    parameters = {"projection.enabled": "true", **table.parameters}
    theirs = stand_in_partitions(parameters, ["k"], "s3://b/t/")
    assert theirs is not None and ours == sorted((tuple(v), where) for v, where in theirs)
