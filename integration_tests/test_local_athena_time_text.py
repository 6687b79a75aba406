"""The stand-in renders times and zoned timestamps as Athena does (what test_values relies on).

- Trino's ``to_iso8601`` of a ``timestamp with time zone`` carries its zone (https://trino.io/docs/current/
  functions/datetime.html#to_iso8601); the stand-in keeps only the instant and renders it in UTC with ``Z``.
- Athena's result text of a ``time(3)`` has its three fraction digits, also when they are zero.
"""

from __future__ import annotations

import datetime as dt

from local_athena import LocalAthena
from local_athena.testing import all_rows, run


def only_value(athena: LocalAthena, sql: str) -> str | None:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    header, row = all_rows(client, qe["QueryExecutionId"])
    assert len(header) == 1
    return row[0]


def test_to_iso8601_of_a_zoned_timestamp_has_an_offset(athena: LocalAthena) -> None:
    text = only_value(athena, "SELECT to_iso8601(from_iso8601_timestamp('2024-01-02T03:04:05.123+05:30'))")
    assert text == "2024-01-01T21:34:05.123Z"
    assert dt.datetime.fromisoformat(text) == dt.datetime(
        2024, 1, 2, 3, 4, 5, 123000, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )


def test_to_iso8601_of_a_plain_timestamp_has_no_offset(athena: LocalAthena) -> None:
    assert only_value(athena, "SELECT to_iso8601(TIMESTAMP '2024-01-02 03:04:05.5')") == "2024-01-02T03:04:05.500"


def test_time_result_text_keeps_three_fraction_digits(athena: LocalAthena) -> None:
    assert only_value(athena, "SELECT CAST('00:00:00' AS time(3))") == "00:00:00.000"
    assert only_value(athena, "SELECT CAST('13:14:15.678' AS time(3))") == "13:14:15.678"
