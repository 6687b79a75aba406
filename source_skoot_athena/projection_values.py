"""The partition values Athena projects from a table's `projection.*` properties, computed the way Athena does.

Why: a projected table has no Glue partitions to slice by ("Athena ignores any partition metadata registered to
the table in the AWS Glue Data Catalog", https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html);
its partitions are the combinations of each key's projected values
(https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html):
- `enum`: `values`, comma-separated, white space kept as part of a value;
- `integer`: `range` "min,max" (inclusive, white space allowed), `interval` (default 1), `digits` (zero padding,
  as Java's `%0<digits>d`: trinodb/trino plugin/trino-hive/.../projection/IntegerProjection.java);
- `date`: `range` of two dates in `format` (a Java DateTimeFormatter pattern) or `NOW[+-N UNIT]`, stepped by
  `interval` `interval.unit` from the start; the unit defaults to days (a pattern with days) or months, and must be
  given for a sub-day pattern. Both bounds are cut to the pattern's precision first, as Trino's port of Athena's
  projection does (trinodb/trino plugin/trino-hive/.../projection/DateProjection.java, adjustBoundToDateFormat).
Anything this module cannot evaluate exactly (another type, a pattern letter it does not know) is reported, so the
table is read in one query, where Athena evaluates it itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence

from source_skoot_athena.catalog import Column
from source_skoot_athena.types import Kind

# Java pattern letters this module renders (`yyyy` `MM` `dd` `HH` `mm` `ss`), as strftime directives.
_PATTERN_FIELDS = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_SUB_DAY_LETTERS = ("H", "m", "s", "S")
# The doc's relative bound: `NOW`, optionally `+`/`-` N and a unit (singular or plural).
_NOW = re.compile(r"^\s*NOW\s*(?:([+-])\s*([0-9]+)\s*(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?\s*)?$")
_FIXED_UNITS = {
    "WEEKS": dt.timedelta(weeks=1),
    "DAYS": dt.timedelta(days=1),
    "HOURS": dt.timedelta(hours=1),
    "MINUTES": dt.timedelta(minutes=1),
    "SECONDS": dt.timedelta(seconds=1),
}
_UNITS = ("YEARS", "MONTHS", *_FIXED_UNITS)


class NotProjectable(ValueError):
    """The projection cannot be evaluated here (or holds more values than the limit): read the table in one query."""


def _property(parameters: Mapping[str, str], key: str, name: str) -> str | None:
    return parameters.get(f"projection.{key}.{name}")


def _required(parameters: Mapping[str, str], key: str, name: str) -> str:
    value = _property(parameters, key, name)
    if value is None:
        raise NotProjectable(f"projection.{key}.{name} is not set")
    return value


def strftime_pattern(pattern: str) -> str:
    """A Java DateTimeFormatter pattern as a strftime format: the fields above, quoted text ('T', '' for a quote)
    and any non-letter kept as they are; any other letter is not modelled."""
    out: list[str] = []
    rest = pattern
    while rest:
        if rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                raise NotProjectable(f"format {pattern!r} has an unclosed quote")
            out.append(rest[1:end].replace("%", "%%") if end > 1 else "'")
            rest = rest[end + 1 :]
            continue
        field = next((f for f in _PATTERN_FIELDS if rest.startswith(f)), None)
        if field is not None:
            out.append(_PATTERN_FIELDS[field])
            rest = rest[len(field) :]
        elif rest[0].isalpha():
            raise NotProjectable(f"format {pattern!r} uses pattern letter {rest[0]!r}")
        else:
            out.append(rest[0].replace("%", "%%"))
            rest = rest[1:]
    return "".join(out)


def step(value: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """`value` plus `amount` units, as java.time's plus: months and years keep the day, cut to the month's end."""
    if unit in _FIXED_UNITS:
        return value + amount * _FIXED_UNITS[unit]
    months = value.month - 1 + amount * (12 if unit == "YEARS" else 1)
    year, month = value.year + months // 12, months % 12 + 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def _bound(text: str, fmt: str, now: dt.datetime) -> dt.datetime:
    relative = _NOW.match(text)
    if relative is None:
        try:
            moment = dt.datetime.strptime(text, fmt)
        except ValueError as exc:
            raise NotProjectable(f"range bound {text!r}: {exc}") from None
    else:
        sign, amount, unit = relative.groups()
        moment = now if sign is None else step(now, int(amount) * (1 if sign == "+" else -1), unit + "S")
    return dt.datetime.strptime(moment.strftime(fmt), fmt)  # cut to the pattern's precision


def _interval_unit(parameters: Mapping[str, str], key: str, pattern: str) -> str:
    unit = _property(parameters, key, "interval.unit")
    if unit is not None:
        unit = unit.strip().upper()
        if unit not in _UNITS:
            raise NotProjectable(f"projection.{key}.interval.unit {unit!r} is not modelled")
        return unit
    letters = re.sub(r"'[^']*'", "", pattern)
    if any(letter in letters for letter in _SUB_DAY_LETTERS):
        raise NotProjectable(f"projection.{key}.interval.unit is required for the sub-day format {pattern!r}")
    return "DAYS" if "d" in letters else "MONTHS"


def _rendered(moment: dt.datetime, fmt: str, kind: Kind) -> str:
    """The value as Athena shows the column: a date or timestamp column holds the date, a string the text."""
    if kind == Kind.DATE:
        return moment.strftime("%Y-%m-%d")
    if kind == Kind.TIMESTAMP:
        return moment.strftime("%Y-%m-%d %H:%M:%S.000")
    return moment.strftime(fmt)


def date_values(parameters: Mapping[str, str], key: Column, now: dt.datetime) -> Iterator[tuple[str, str]]:
    """(column value, text in the S3 location) of each projected date, in order from the range's start."""
    pattern = _required(parameters, key.name, "format")
    fmt = strftime_pattern(pattern)
    start_text, _, end_text = _required(parameters, key.name, "range").partition(",")
    low, high = _bound(start_text, fmt, now), _bound(end_text, fmt, now)
    amount = int(_property(parameters, key.name, "interval") or "1")
    unit = _interval_unit(parameters, key.name, pattern)
    if amount < 1:
        raise NotProjectable(f"projection.{key.name}.interval must be positive")
    if low > high:  # Athena refuses such a range (DateProjection: "… that are sequential"): let it say so
        raise NotProjectable(f"projection.{key.name}.range ends before it starts")
    while low <= high:
        yield _rendered(low, fmt, key.type.kind), low.strftime(fmt)
        low = step(low, amount, unit)


def integer_values(parameters: Mapping[str, str], key: str) -> Iterator[tuple[str, str]]:
    """(column value, text in the S3 location): the range stepped by the interval, zero-padded to `digits`."""
    low_text, _, high_text = _required(parameters, key, "range").partition(",")
    try:
        low, high = int(low_text.strip()), int(high_text.strip())
        interval = int((_property(parameters, key, "interval") or "1").strip())
        digits = int((_property(parameters, key, "digits") or "1").strip())
    except ValueError as exc:
        raise NotProjectable(f"projection.{key}: {exc}") from None
    if interval < 1 or low > high:
        raise NotProjectable(f"projection.{key}: an empty range or an interval below 1")
    for number in range(low, high + 1, interval):
        text = f"{number:0{digits}d}"  # Java's %0<digits>d, the sign counted in the width (IntegerProjection.java)
        yield text, text


def key_values(parameters: Mapping[str, str], key: Column, now: dt.datetime) -> Iterator[tuple[str, str]]:
    """The projected (column value, location text) pairs of one partition key, by its projection type."""
    kind = (_property(parameters, key.name, "type") or "").strip().lower()
    if kind == "enum":
        values = _required(parameters, key.name, "values").split(",")
        return ((value, value) for value in values)
    if kind == "integer":
        return integer_values(parameters, key.name)
    if kind == "date":
        return date_values(parameters, key, now)
    raise NotProjectable(f"projection type {kind or 'unset'!r} of key {key.name!r} cannot be enumerated")


def projected_values(
    parameters: Mapping[str, str], keys: Sequence[Column], now: dt.datetime, limit: int
) -> list[list[tuple[str, str]]]:
    """Each key's projected (value, location text) pairs; NotProjectable when their combinations exceed `limit`."""
    per_key: list[list[tuple[str, str]]] = []
    combinations = 1
    for key in keys:
        values: list[tuple[str, str]] = []
        for pair in key_values(parameters, key, now):
            values.append(pair)
            if max(combinations, 1) * len(values) > limit:
                raise NotProjectable(f"it projects more than {limit:,} partitions")
        per_key.append(values)
        combinations *= len(values)
    return per_key
