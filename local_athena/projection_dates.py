"""The values of a ``date`` partition projection: a range of dates or times stepped by an interval, as text.

Why: date projection is the commonest projection (daily/hourly layouts); Athena computes its partitions from
the table properties (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html,
"Date type"): ``range`` "start,end" (dates in ``format``, or ``NOW`` with an optional ``+``/``-`` N unit), ``format``
(a Java DateTimeFormatter pattern), ``interval`` (default 1) and ``interval.unit``, which "defaults to 1 day or 1
month" for a pattern at single-day or single-month precision and is required otherwise. As Trino's port of
Athena's projection (trinodb/trino plugin/trino-hive/src/main/java/io/trino/plugin/hive/projection/
DateProjection.java): both bounds are cut to the pattern's precision (``adjustBoundToDateFormat``), values are
stepped from the start with java.time's ``plus`` (a month from Jan 31 is Feb 29), and a range whose start is after
its end, or a sub-day pattern without ``interval.unit``, fails the query (``INVALID_COLUMN_PROPERTY``; Athena's own
text is unverified). Modelled patterns: ``yyyy MM dd HH mm ss`` with any separators.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

# (Java pattern field, strftime directive), largest first.
_FIELDS: tuple[tuple[str, str], ...] = (
    ("yyyy", "%Y"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
)
_SUB_DAY_FIELDS = ("HH", "mm", "ss")
_NOW = re.compile(r"^NOW\s*(?:([+-])\s*(\d+)\s*(YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?$", re.I)
_FIXED = {"WEEKS": dt.timedelta(weeks=1), "DAYS": dt.timedelta(days=1), "HOURS": dt.timedelta(hours=1)}
_FIXED |= {"MINUTES": dt.timedelta(minutes=1), "SECONDS": dt.timedelta(seconds=1)}


class InvalidDateProjection(ValueError):
    """The projection's properties are not a valid date projection: Athena fails the query."""


def _strftime(pattern: str) -> str:
    out = pattern
    for java, directive in _FIELDS:
        out = out.replace(java, directive)
    return out


def _default_unit(key: str, pattern: str) -> str:
    """Days for a pattern with days, else months; a sub-day pattern must name its unit."""
    if any(field in pattern for field in _SUB_DAY_FIELDS):
        raise InvalidDateProjection(
            f"Property: 'projection.{key}.interval.unit' needs to be set when provided 'projection.{key}.format' is "
            "less that single-day precision."
        )
    return "DAYS" if "dd" in pattern else "MONTHS"


def _step(value: dt.datetime, n: int, unit: str) -> dt.datetime:
    unit = unit.upper().rstrip("S") + "S"
    if unit in _FIXED:
        return value + n * _FIXED[unit]
    months = value.month - 1 + n * (12 if unit == "YEARS" else 1)
    year, month = value.year + months // 12, months % 12 + 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def _bound(text: str, fmt: str, now: dt.datetime) -> dt.datetime:
    m = _NOW.match(text.strip())
    if m is None:
        try:
            moment = dt.datetime.strptime(text.strip(), fmt)
        except ValueError as exc:
            raise InvalidDateProjection(f"Property: 'range' bound {text!r} is not a date: {exc}") from None
    elif m.group(1) is None:
        moment = now
    else:
        moment = _step(now, int(m.group(2)) * (1 if m.group(1) == "+" else -1), m.group(3))
    return dt.datetime.strptime(moment.strftime(fmt), fmt)  # cut to the pattern's precision


def date_values(parameters: dict[str, str], key: str, now: dt.datetime | None = None) -> list[str]:
    """The projected values of a ``date`` key, in order (both ``range`` and ``format`` are required)."""
    text, pattern = parameters.get(f"projection.{key}.range"), parameters.get(f"projection.{key}.format")
    if text is None or pattern is None:
        missing = "range" if text is None else "format"
        raise InvalidDateProjection(f"Missing required property: 'projection.{key}.{missing}'")
    fmt = _strftime(pattern)
    start_text, end_text = text.split(",", 1)
    current = dt.datetime.now(dt.UTC).replace(tzinfo=None) if now is None else now
    low, high = _bound(start_text, fmt, current), _bound(end_text, fmt, current)
    if low > high:
        raise InvalidDateProjection(
            f"Property: 'projection.{key}.range' needs to be a list of 2 valid dates formatted as '{pattern}' that "
            "are sequential."
        )
    interval = int(parameters.get(f"projection.{key}.interval", "1"))
    unit = parameters.get(f"projection.{key}.interval.unit") or _default_unit(key, pattern)
    values = []
    while low <= high:
        values.append(low.strftime(fmt))
        low = _step(low, interval, unit)
    return values
