"""The values of a ``date`` partition projection: a range of dates or times stepped by an interval, as text.

Why: date projection is the commonest projection (daily/hourly layouts); Athena computes its partitions from
the table properties (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html,
"Date type"): ``range`` "start,end" (dates in ``format``, or ``NOW`` with an optional ``+``/``-`` N unit), ``format``
(a Java DateTimeFormatter pattern), ``interval`` (default 1) and ``interval.unit`` (default: the pattern's
smallest field, days for a date-only pattern). Modelled patterns: ``yyyy MM dd HH mm ss`` with any separators.
"""

from __future__ import annotations

import datetime as dt
import re

# (Java pattern field, strftime directive, interval unit), largest first.
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("yyyy", "%Y", "YEARS"),
    ("MM", "%m", "MONTHS"),
    ("dd", "%d", "DAYS"),
    ("HH", "%H", "HOURS"),
    ("mm", "%M", "MINUTES"),
    ("ss", "%S", "SECONDS"),
)
_NOW = re.compile(r"^NOW\s*(?:([+-])\s*(\d+)\s*(YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?$", re.I)
_FIXED = {"WEEKS": dt.timedelta(weeks=1), "DAYS": dt.timedelta(days=1), "HOURS": dt.timedelta(hours=1)}
_FIXED |= {"MINUTES": dt.timedelta(minutes=1), "SECONDS": dt.timedelta(seconds=1)}


def _strftime_and_unit(pattern: str) -> tuple[str, str]:
    """The pattern as a strftime format, and its smallest field's unit (the default interval unit)."""
    out, unit = pattern, "DAYS"
    for java, c, field_unit in _FIELDS:
        if java in out:
            out, unit = out.replace(java, c), field_unit
    return out, unit


def _step(value: dt.datetime, n: int, unit: str) -> dt.datetime:
    unit = unit.upper().rstrip("S") + "S"
    if unit in _FIXED:
        return value + n * _FIXED[unit]
    months = value.month - 1 + n * (12 if unit == "YEARS" else 1)
    return value.replace(year=value.year + months // 12, month=months % 12 + 1)


def _bound(text: str, fmt: str, now: dt.datetime) -> dt.datetime:
    m = _NOW.match(text.strip())
    if m is None:
        return dt.datetime.strptime(text.strip(), fmt)
    if m.group(1) is None:
        return now
    n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
    return _step(now, n, m.group(3))


def date_values(parameters: dict[str, str], key: str, now: dt.datetime | None = None) -> list[str] | None:
    """The projected values of a ``date`` key, in order; None when its range or format is missing."""
    text, pattern = parameters.get(f"projection.{key}.range"), parameters.get(f"projection.{key}.format")
    if text is None or pattern is None:
        return None
    fmt, default_unit = _strftime_and_unit(pattern)
    start_text, end_text = text.split(",", 1)
    current = dt.datetime.now(dt.UTC).replace(tzinfo=None) if now is None else now
    low, high = _bound(start_text, fmt, current), _bound(end_text, fmt, current)
    interval = int(parameters.get(f"projection.{key}.interval", "1"))
    unit = parameters.get(f"projection.{key}.interval.unit", default_unit)
    values = []
    while low <= high:
        values.append(low.strftime(fmt))
        low = _step(low, interval, unit)
    return values
