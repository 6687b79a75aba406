"""encoding/: every value rule of the RecordEncoder, on parquet-native Arrow types and on Athena's text as
the shipped csv/api readers (results/) decode it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import math
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_skoot_athena.encoding import RecordEncoder, buffers
from source_skoot_athena.results.csv import csv_batches
from source_skoot_athena.results.text import parse_text_batch
from source_skoot_athena.types import parse_type, select_expression

EMITTED_AT = 1_700_000_000_123
UTC = dt.UTC


def encode_lines(
    columns: list[tuple[str, str]],
    arrays: list[pa.Array],
    stream: str = "s",
    namespace: str | None = "ns",
) -> tuple[list[bytes], RecordEncoder]:
    encoder = RecordEncoder(stream, namespace, [(name, parse_type(text)) for name, text in columns])
    batch = pa.RecordBatch.from_arrays(arrays, names=[name for name, _ in columns])
    out = encoder.encode(batch, EMITTED_AT)
    assert out.endswith(b"\n") or not out
    return out.splitlines(), encoder


def parse(line: bytes) -> dict[str, Any]:
    """Both parsers must accept the line and agree on it."""
    by_json = json.loads(line, parse_float=Decimal)
    by_orjson = orjson.loads(line)
    assert json.loads(line) == by_orjson
    return by_json


def column_values(text: str, array: pa.Array) -> list[Any]:
    lines, _ = encode_lines([("c", text)], [array])
    return [parse(line)["record"]["data"]["c"] for line in lines]


def raw_values(text: str, array: pa.Array) -> list[str]:
    """The exact JSON token of each value (between `"c":` and the closing brace of data)."""
    lines, _ = encode_lines([("c", text)], [array], namespace=None)
    prefix = b'{"type":"RECORD","record":{"stream":"s","data":{"c":'
    suffix = b'},"emitted_at":' + str(EMITTED_AT).encode() + b"}}"
    assert all(line.startswith(prefix) and line.endswith(suffix) for line in lines)
    return [line[len(prefix) : -len(suffix)].decode() for line in lines]


# ---------------------------------------------------------------------------------------------------------
# Envelope


def test_line_envelope_and_explicit_nulls() -> None:
    lines, _ = encode_lines([("a", "int"), ("b", "string")], [pa.array([1, None], pa.int32()), pa.array([None, "x"])])
    assert [parse(line) for line in lines] == [
        {
            "type": "RECORD",
            "record": {"stream": "s", "namespace": "ns", "data": {"a": 1, "b": None}, "emitted_at": EMITTED_AT},
        },
        {
            "type": "RECORD",
            "record": {"stream": "s", "namespace": "ns", "data": {"a": None, "b": "x"}, "emitted_at": EMITTED_AT},
        },
    ]


def test_namespace_none_omits_the_key() -> None:
    lines, _ = encode_lines([("a", "int")], [pa.array([1], pa.int32())], namespace=None)
    assert "namespace" not in parse(lines[0])["record"]


@pytest.mark.parametrize(
    "name", ['q"uote', "back\\slash", "new\nline", "é😀", '"},"x":{', "\x00ctl", "select", "a b", ""]
)
def test_hostile_stream_namespace_and_column_names(name: str) -> None:
    lines, _ = encode_lines(
        [(name, "int"), (name + "2", "struct<`" + name.replace("`", "``") + "`:int>")],
        [pa.array([7], pa.int32()), pa.array([{name or "f": 1}], pa.struct([(name or "f", pa.int32())]))],
        stream=name,
        namespace=name,
    )
    record = parse(lines[0])["record"]
    assert record["stream"] == name and record["namespace"] == name
    assert record["data"] == {name: 7, name + "2": {name or "f": 1}}


def test_empty_batch_and_no_columns() -> None:
    lines, _ = encode_lines([("a", "int")], [pa.array([], pa.int32())])
    assert lines == []
    encoder = RecordEncoder("s", None, [])
    out = encoder.encode(pa.RecordBatch.from_pydict({"x": [1, 2]}).select([]), EMITTED_AT)
    assert [parse(line)["record"]["data"] for line in out.splitlines()] == [{}, {}]


def test_column_count_mismatch_is_an_error() -> None:
    encoder = RecordEncoder("s", None, [("a", parse_type("int"))])
    with pytest.raises(ValueError, match="columns"):
        encoder.encode(pa.RecordBatch.from_pydict({"a": [1], "b": [2]}), EMITTED_AT)


def test_big_batches_are_encoded_in_chunks_with_the_same_output(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = [("a", "bigint"), ("b", "string")]
    arrays = [pa.array(range(1000)), pa.array([f"v{i}\n" if i % 7 else None for i in range(1000)])]
    whole, _ = encode_lines(columns, arrays)
    monkeypatch.setattr(buffers, "MAX_CHUNK_BYTES", 1000)
    chunked, _ = encode_lines(columns, arrays)
    assert chunked == whole and len(whole) == 1000


def test_sliced_and_chunked_inputs() -> None:
    array = pa.array([[1], None, [2, 3], [], [4]]).slice(1, 3)
    assert column_values("array<int>", array) == [None, [2, 3], []]
    strings = pa.array(["x", 'a"b', None, "c"]).slice(1)
    assert column_values("string", strings) == ['a"b', None, "c"]
    encoder = RecordEncoder("s", None, [("c", parse_type("int"))])
    table = pa.table({"c": pa.chunked_array([[1, 2], [3]])})
    out = b"".join(encoder.encode(batch, 1) for batch in table.to_batches())
    assert [parse(line)["record"]["data"]["c"] for line in out.splitlines()] == [1, 2, 3]


# ---------------------------------------------------------------------------------------------------------
# Scalars, parquet-native Arrow types


def test_integers_exact_beyond_2_53() -> None:
    values = [2**63 - 1, -(2**63), 2**53 + 1, 0, None]
    assert raw_values("bigint", pa.array(values, pa.int64())) == [
        "9223372036854775807",
        "-9223372036854775808",
        "9007199254740993",
        "0",
        "null",
    ]
    assert column_values("bigint", pa.array(values, pa.int64())) == values
    for arrow_type, text in [(pa.int8(), "tinyint"), (pa.int16(), "smallint"), (pa.int32(), "int")]:
        assert column_values(text, pa.array([-1, 5, None], arrow_type)) == [-1, 5, None]


def test_booleans() -> None:
    assert raw_values("boolean", pa.array([True, False, None])) == ["true", "false", "null"]


def test_floats_shortest_round_trip_and_non_finite_nulled() -> None:
    values = [0.1, 1e20, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 123456789.123, 1.0, -0.0, None]
    tokens = raw_values("double", pa.array(values, pa.float64()))
    assert tokens[:4] == ["0.1", "1e+20", "1e+21", "1e-7"]
    assert tokens[8] == "-0.0"
    parsed = column_values("double", pa.array(values, pa.float64()))
    assert [float(v) if v is not None else None for v in parsed] == values
    assert math.copysign(1.0, orjson.loads(tokens[8])) == -1.0
    lines, encoder = encode_lines(
        [("d", "double"), ("r", "real")],
        [
            pa.array([float("nan"), float("inf"), float("-inf"), 1.5]),
            pa.array([float("nan"), 0.1, None, 3.4028234663852886e38], pa.float32()),
        ],
    )
    data = [parse(line)["record"]["data"] for line in lines]
    assert [row["d"] for row in data] == [None, None, None, Decimal("1.5")]
    assert [row["r"] for row in data] == [None, Decimal("0.1"), None, Decimal("3.4028235e+38")]
    assert encoder.nulled_counts == {"d": 3, "r": 1}


def test_decimals_keep_every_digit() -> None:
    values = [
        Decimal("1234567890123456789012345678.0123456789"),
        Decimal("-0.0000000001"),
        Decimal("0E-10"),
        Decimal("-9999999999999999999999999999.9999999999"),
        Decimal("0.0000001000"),
        None,
    ]
    tokens = raw_values("decimal(38,10)", pa.array(values, pa.decimal128(38, 10)))
    assert tokens == [
        "1234567890123456789012345678.0123456789",
        "-0.0000000001",
        "0.0000000000",
        "-9999999999999999999999999999.9999999999",
        "0.0000001000",
        "null",
    ]
    assert column_values("decimal(38,10)", pa.array(values, pa.decimal128(38, 10))) == values
    assert raw_values(
        "decimal(10,2)", pa.array([Decimal("1.50"), Decimal("-0.01"), Decimal("0")], pa.decimal128(10, 2))
    ) == ["1.50", "-0.01", "0.00"]
    assert raw_values("decimal(10,0)", pa.array([Decimal("-12"), None], pa.decimal128(10, 0))) == ["-12", "null"]
    scale_7 = pa.array([Decimal("0.0000001"), Decimal("-0.0000009"), Decimal("1")], pa.decimal128(20, 7))
    assert raw_values("decimal(20,7)", scale_7) == ["0.0000001", "-0.0000009", "1.0000000"]
    wide = pa.array([Decimal("-" + "9" * 60 + "." + "0" * 9 + "1")], pa.decimal256(70, 10))
    assert raw_values("decimal(70,10)", wide) == ["-" + "9" * 60 + "." + "0" * 9 + "1"]
    sliced = pa.array([Decimal("1E-10"), None, Decimal("-2E-10")], pa.decimal128(38, 10)).slice(1)
    assert raw_values("decimal(38,10)", sliced) == ["null", "-0.0000000002"]


ALL_CONTROL = "".join(chr(code) for code in range(32))


def test_strings_byte_exact() -> None:
    values = [
        "",
        None,
        'q"uote',
        "back\\slash",
        "new\nline\r\t",
        ALL_CONTROL,
        "é😀中",
        "\u2028\u2029\x7f",
        "plain",
        " leading and trailing ",
        "\\u0000 literal",
    ]
    assert column_values("string", pa.array(values)) == values
    assert column_values("varchar(5)", pa.array(values, pa.large_string())) == values
    assert column_values("char(3)", pa.array(values).dictionary_encode()) == values
    assert raw_values("string", pa.array(["", None, "a"])) == ['""', "null", '"a"']


def test_dates_years_1_to_9999() -> None:
    values = [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(1970, 1, 1), dt.date(9999, 12, 31), None]
    expected = ["0001-01-01", "0999-12-31", "1970-01-01", "9999-12-31", None]
    assert column_values("date", pa.array(values, pa.date32())) == expected
    assert column_values("date", pa.array(values, pa.date64())) == expected


def test_timestamps_outside_four_digit_years_still_get_their_t() -> None:
    """The `T` goes in by position only when every year in the batch has four digits."""
    beyond = pa.array([253_402_300_800_000, 0, None], pa.timestamp("ms"))  # 10000-01-01, 1970-01-01
    assert column_values("timestamp", beyond) == ["10000-01-01T00:00:00.000", "1970-01-01T00:00:00.000", None]
    assert column_values("timestamp", beyond.slice(1)) == ["1970-01-01T00:00:00.000", None]


def test_timestamps_keep_the_fraction_of_their_unit() -> None:
    values = [
        dt.datetime(1, 1, 1),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999000),
        None,
    ]
    assert column_values("timestamp", pa.array(values, pa.timestamp("ms"))) == [
        "0001-01-01T00:00:00.000",
        "1969-12-31T23:59:59.999",
        "9999-12-31T23:59:59.999",
        None,
    ]
    micro = pa.array([dt.datetime(2024, 1, 1, 12, 0, 0, 123456)], pa.timestamp("us"))
    assert column_values("timestamp", micro) == ["2024-01-01T12:00:00.123456"]
    assert column_values("timestamp(6)", micro) == ["2024-01-01T12:00:00.123456"]
    assert column_values("timestamp(3)", micro) == ["2024-01-01T12:00:00.123"]
    millis = pa.array([dt.datetime(2024, 1, 1, 12, 0, 0, 5000)], pa.timestamp("ms"))
    assert column_values("timestamp(6)", millis) == ["2024-01-01T12:00:00.005000"]
    assert column_values("timestamp(0)", millis) == ["2024-01-01T12:00:00"]
    assert column_values("timestamp", millis) == ["2024-01-01T12:00:00.005"]


def test_microsecond_timestamps_without_precision_print_the_digits_they_need() -> None:
    whole_millis = pa.array([dt.datetime(2024, 1, 1, 12, 0, 0, 5000), None], pa.timestamp("us"))
    assert column_values("timestamp", whole_millis) == ["2024-01-01T12:00:00.005", None]
    assert column_values("timestamp(6)", whole_millis) == ["2024-01-01T12:00:00.005000", None]


def test_nanosecond_timestamps_without_precision_print_the_digits_they_need() -> None:
    assert column_values("timestamp", pa.array([1_500_000_000_123_000_000], pa.timestamp("ns"))) == [
        "2017-07-14T02:40:00.123"
    ]
    assert column_values("timestamp", pa.array([1_500_000_000_123_456_000], pa.timestamp("ns"))) == [
        "2017-07-14T02:40:00.123456"
    ]
    assert column_values("timestamp", pa.array([1_500_000_000_123_456_789], pa.timestamp("ns"))) == [
        "2017-07-14T02:40:00.123456789"
    ]


def test_zoned_timestamps_are_iso_with_offset() -> None:
    instant = dt.datetime(2024, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)
    for zone in ("UTC", "America/New_York", "+05:30"):
        array = pa.array([instant, None], pa.timestamp("ms", zone))
        values = column_values("timestamp with time zone", array)
        assert values == ["2024-01-01T12:00:00.123Z", None]
        assert dt.datetime.fromisoformat(values[0]) == instant


def test_times() -> None:
    assert column_values("time", pa.array([dt.time(12, 0, 0, 123000), None], pa.time32("ms"))) == ["12:00:00.123", None]
    assert column_values("time(6)", pa.array([dt.time(0, 0, 1, 5)], pa.time64("us"))) == ["00:00:01.000005"]
    assert column_values("time", pa.array(["12:00:00.123"])) == ["12:00:00.123"]


def test_binary_is_standard_base64() -> None:
    values = [b"", b"\x00\xff\xfe", bytes(range(256)), None]
    expected = [None if v is None else base64.b64encode(v).decode() for v in values]
    assert column_values("varbinary", pa.array(values, pa.binary())) == expected
    assert column_values("binary", pa.array(values, pa.large_binary())) == expected
    assert column_values("binary", pa.array([b"ab"], pa.binary(2))) == ["YWI="]


def test_json_columns_are_embedded_as_json() -> None:
    texts = ['{"a": [1, 2.5, "x\\n"]}', "null", "[]", '"s"', "12345678901234567890", None]
    assert column_values("json", pa.array(texts)) == [
        {"a": [1, Decimal("2.5"), "x\n"]},
        None,
        [],
        "s",
        12345678901234567890,
        None,
    ]


def test_unknown_types_are_text_with_one_warning() -> None:
    lines, encoder = encode_lines(
        [("g", "geometry"), ("i", "interval day to second")], [pa.array(["POINT (1 2)", None]), pa.array([5, 6])]
    )
    assert [parse(line)["record"]["data"] for line in lines] == [{"g": "POINT (1 2)", "i": "5"}, {"g": None, "i": "6"}]
    assert len(encoder.warning_texts) == 2 and "geometry" in encoder.warning_texts[0]
    assert encoder.new_warning_texts() == encoder.warning_texts
    assert encoder.new_warning_texts() == []


def test_odd_arrow_types_fall_back_to_text() -> None:
    lines, encoder = encode_lines([("d", "bigint")], [pa.array([dt.timedelta(seconds=5), None])])
    assert [parse(line)["record"]["data"]["d"] for line in lines] == ["5000000", None]  # Arrow's text: the us count
    assert encoder.warning_texts == ["Column 'd': Arrow type duration[us] is written as text."]
    assert column_values("int", pa.nulls(2)) == [None, None]


# ---------------------------------------------------------------------------------------------------------
# Nested, parquet-native


NESTED = "array<struct<a:int,b:map<string,array<decimal(10,2)>>>>"
NESTED_ARROW = pa.list_(pa.struct([("a", pa.int32()), ("b", pa.map_(pa.string(), pa.list_(pa.decimal128(10, 2))))]))


def test_deeply_nested_values() -> None:
    values = [
        [{"a": 1, "b": [("k", [Decimal("1.50"), None]), ('q"\n', [])]}, None, {"a": None, "b": None}],
        None,
        [],
    ]
    assert raw_values(NESTED, pa.array(values, NESTED_ARROW)) == [
        '[{"a":1,"b":{"k":[1.50,null],"q\\"\\n":[]}},null,{"a":null,"b":null}]',
        "null",
        "[]",
    ]
    assert column_values(NESTED, pa.array(values, NESTED_ARROW))[0][0]["b"]["k"] == [Decimal("1.50"), None]


def test_nested_leaves_follow_the_scalar_rules() -> None:
    arrow_type = pa.struct(
        [
            ("ts", pa.timestamp("ms")),
            ("d", pa.date32()),
            ("f", pa.float64()),
            ("bin", pa.binary()),
            ("s", pa.string()),
            ("big", pa.int64()),
            ("tz", pa.timestamp("us", "UTC")),
        ]
    )
    value = {
        "ts": dt.datetime(2024, 1, 2, 3, 4, 5, 6000),
        "d": dt.date(1, 1, 1),
        "f": float("nan"),
        "bin": b"\x01",
        "s": "a\x00",
        "big": 2**63 - 1,
        "tz": dt.datetime(2024, 1, 1, tzinfo=UTC),
    }
    text = "struct<ts:timestamp,d:date,f:double,bin:binary,s:string,big:bigint,tz:timestamp(6) with time zone>"
    lines, encoder = encode_lines([("c", text)], [pa.array([value], arrow_type)])
    assert parse(lines[0])["record"]["data"]["c"] == {
        "ts": "2024-01-02T03:04:05.006",
        "d": "0001-01-01",
        "f": None,
        "bin": "AQ==",
        "s": "a\x00",
        "big": 2**63 - 1,
        "tz": "2024-01-01T00:00:00.000000Z",
    }
    assert encoder.nulled_counts == {"c": 1}


def test_maps_with_non_string_keys() -> None:
    ints = pa.array([[(1, "a"), (-2, None)], None, []], pa.map_(pa.int32(), pa.string()))
    assert column_values("map<int,string>", ints) == [{"1": "a", "-2": None}, None, {}]
    dates = pa.array([[(dt.date(2020, 1, 1), 1.5)]], pa.map_(pa.date32(), pa.float64()))
    assert column_values("map<date,double>", dates) == [{"2020-01-01": Decimal("1.5")}]
    sliced = pa.array([[("x", 1)], [("y", 2), ("z", 3)], None], pa.map_(pa.string(), pa.int64())).slice(1)
    assert column_values("map<string,bigint>", sliced) == [{"y": 2, "z": 3}, None]


def test_lists_with_null_backed_non_empty_ranges() -> None:
    offsets = pa.array([0, 2, 4, 5], pa.int32())
    values = pa.array([1, 2, 3, 4, 5])
    lists = pa.ListArray.from_arrays(offsets, values, mask=pa.array([False, True, False]))
    assert column_values("array<int>", lists) == [[1, 2], None, [5]]
    fixed = pa.array([[1, 2], None], pa.list_(pa.int64(), 2))
    assert column_values("array<bigint>", fixed) == [[1, 2], None]
    large = pa.array([["a"], None], pa.large_list(pa.string()))
    assert column_values("array<string>", large) == [["a"], None]


def test_struct_with_no_values_and_hostile_field_names() -> None:
    arrow_type = pa.struct([('we"ird\n', pa.int32()), ("é", pa.string())])
    array = pa.array([{'we"ird\n': 1, "é": "x"}, None], arrow_type)
    assert column_values('row("we""ird\n" integer, "é" varchar)', array) == [{'we"ird\n': 1, "é": "x"}, None]


# ---------------------------------------------------------------------------------------------------------
# Text paths: Athena's CSV / GetQueryResults text, decoded by the shipped readers, gives the same records


TEXT_COLUMNS = [
    ("b", "boolean"),
    ("i", "bigint"),
    ("d", "double"),
    ("dec", "decimal(38,10)"),
    ("dt", "date"),
    ("ts", "timestamp"),
    ("ts6", "timestamp(6)"),
    ("tz", "timestamp(3) with time zone"),
    ("tm", "time(3)"),
    ("s", "varchar"),
    ("bin", "varbinary"),
    ("j", "json"),
    ("arr", NESTED),
    ("m", "map<varchar,bigint>"),
]
# Rows as Athena renders the select expressions (to_iso8601, to_base64, json_format(CAST(x AS JSON))).
TEXT_ROWS: list[list[str | None]] = [
    [
        "true",
        "9223372036854775807",
        "1.0E20",
        "-0.0000000001",
        "0001-01-01",
        "2024-01-01 12:00:00.123",
        "2024-01-01 12:00:00.123456",
        "2024-01-01T12:00:00.123Z",
        "12:00:00.123",
        'q"\n\\é😀',
        "AP8=",
        '{"a":[1,2]}',
        '[{"a":1,"b":{"k":[1.50,null]}}]',
        '{"x":9007199254740993}',
    ],
    [
        "false",
        "-9223372036854775808",
        "NaN",
        "12345678901234567890123456.0123456789",
        "9999-12-31",
        "9999-12-31 23:59:59.999",
        "1970-01-01 00:00:00.000000",
        "2024-01-01T07:00:00.000-05:00",
        "00:00:00.000",
        "",
        "",
        "null",
        "[]",
        "{}",
    ],
    [
        "false",
        "0",
        "-Infinity",
        "0.0000000000",
        "1970-01-01",
        "1969-12-31 23:59:59.999",
        "2000-02-29 00:00:00.000001",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [None] * len(TEXT_COLUMNS),
]
EXPECTED_TEXT_DATA = [
    {
        "b": True,
        "i": 2**63 - 1,
        "d": Decimal("1E+20"),
        "dec": Decimal("-0.0000000001"),
        "dt": "0001-01-01",
        "ts": "2024-01-01T12:00:00.123",
        "ts6": "2024-01-01T12:00:00.123456",
        "tz": "2024-01-01T12:00:00.123Z",
        "tm": "12:00:00.123",
        "s": 'q"\n\\é😀',
        "bin": "AP8=",
        "j": {"a": [1, 2]},
        "arr": [{"a": 1, "b": {"k": [Decimal("1.50"), None]}}],
        "m": {"x": 9007199254740993},
    },
    {
        "b": False,
        "i": -(2**63),
        "d": None,
        "dec": Decimal("12345678901234567890123456.0123456789"),
        "dt": "9999-12-31",
        "ts": "9999-12-31T23:59:59.999",
        "ts6": "1970-01-01T00:00:00.000000",
        "tz": "2024-01-01T07:00:00.000-05:00",
        "tm": "00:00:00.000",
        "s": "",
        "bin": "",
        "j": None,
        "arr": [],
        "m": {},
    },
    {
        "b": False,
        "i": 0,
        "d": None,
        "dec": Decimal("0E-10"),
        "dt": "1970-01-01",
        "ts": "1969-12-31T23:59:59.999",
        "ts6": "2000-02-29T00:00:00.000001",
        "tz": None,
        "tm": None,
        "s": None,
        "bin": None,
        "j": None,
        "arr": None,
        "m": None,
    },
    dict.fromkeys((name for name, _ in TEXT_COLUMNS), None),
]


def _csv_field(value: str | None) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def athena_csv() -> bytes:
    header = ",".join(_csv_field(name) for name, _ in TEXT_COLUMNS)
    lines = [",".join(_csv_field(value) for value in row) for row in TEXT_ROWS]
    return ("\n".join([header, *lines]) + "\n").encode()


def _text_data(lines: list[bytes]) -> list[dict[str, Any]]:
    return [parse(line)["record"]["data"] for line in lines]


TEXT_NAMES = [name for name, _ in TEXT_COLUMNS]
TEXT_TYPES = [parse_type(text) for _, text in TEXT_COLUMNS]


def test_csv_path_gives_exact_records() -> None:
    batches = list(csv_batches(io.BytesIO(athena_csv()), TEXT_NAMES, TEXT_TYPES))
    table = pa.Table.from_batches(batches)
    lines, encoder = encode_lines(TEXT_COLUMNS, [column.combine_chunks() for column in table.columns])
    assert _text_data(lines) == EXPECTED_TEXT_DATA
    assert encoder.nulled_counts == {"d": 2}
    assert b'"dec":0.0000000000' in lines[2] and b'"i":9223372036854775807' in lines[0]


def test_api_path_gives_exact_records_typed_by_the_reader_or_not() -> None:
    """GetQueryResults pages are typed by `parse_text_batch`; text handed to the encoder untyped gives the
    same lines (the encoder applies the same cast)."""
    columns = [pa.array([row[index] for row in TEXT_ROWS], pa.string()) for index in range(len(TEXT_COLUMNS))]
    typed = parse_text_batch(TEXT_NAMES, columns, TEXT_TYPES)
    lines, _ = encode_lines(TEXT_COLUMNS, list(typed.columns))
    assert _text_data(lines) == EXPECTED_TEXT_DATA
    uncast, _ = encode_lines(TEXT_COLUMNS, columns)
    assert uncast == lines


def test_parquet_path_gives_the_same_records_from_native_types() -> None:
    tz_text = [row[7] for row in TEXT_ROWS]  # parquet reads zoned timestamps as to_iso8601 text too
    time_text = [row[8] for row in TEXT_ROWS]  # and times as CAST(x AS varchar)
    native = [
        pa.array([True, False, False, None]),
        pa.array([2**63 - 1, -(2**63), 0, None]),
        pa.array([1e20, float("nan"), float("-inf"), None]),
        pa.array(
            [Decimal("-0.0000000001"), Decimal("12345678901234567890123456.0123456789"), Decimal(0), None],
            pa.decimal128(38, 10),
        ),
        pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1970, 1, 1), None]),
        pa.array(
            [
                dt.datetime(2024, 1, 1, 12, 0, 0, 123000),
                dt.datetime(9999, 12, 31, 23, 59, 59, 999000),
                dt.datetime(1969, 12, 31, 23, 59, 59, 999000),
                None,
            ],
            pa.timestamp("ms"),
        ),
        pa.array(
            [
                dt.datetime(2024, 1, 1, 12, 0, 0, 123456),
                dt.datetime(1970, 1, 1),
                dt.datetime(2000, 2, 29, 0, 0, 0, 1),
                None,
            ],
            pa.timestamp("us"),
        ),
        pa.array(tz_text),
        pa.array(time_text),
        pa.array(['q"\n\\é😀', "", None, None]),
        pa.array([b"\x00\xff", b"", None, None]),
        pa.array(['{"a":[1,2]}', "null", None, None]),
        pa.array([[{"a": 1, "b": [("k", [Decimal("1.50"), None])]}], [], None, None], NESTED_ARROW),
        pa.array([[("x", 9007199254740993)], [], None, None], pa.map_(pa.string(), pa.int64())),
    ]
    lines, _ = encode_lines(TEXT_COLUMNS, native)
    assert _text_data(lines) == EXPECTED_TEXT_DATA


def test_select_expressions_match_what_the_tests_feed_each_path() -> None:
    types = dict(TEXT_COLUMNS)
    assert select_expression('"tz"', parse_type(types["tz"]), "parquet") == 'to_iso8601("tz")'
    assert select_expression('"tm"', parse_type(types["tm"]), "parquet") == 'CAST("tm" AS varchar)'
    assert select_expression('"arr"', parse_type(types["arr"]), "csv") == 'json_format(CAST("arr" AS JSON))'
    assert select_expression('"bin"', parse_type(types["bin"]), "api") == 'to_base64("bin")'


# ---------------------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=30))
def test_property_strings_round_trip(values: list[str | None]) -> None:
    assert column_values("string", pa.array(values, pa.string())) == values


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=1, max_size=30))
def test_property_bigints_round_trip(values: list[int | None]) -> None:
    assert column_values("bigint", pa.array(values, pa.int64())) == values


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.decimals(
                min_value=Decimal("-1e27"), max_value=Decimal("1e27"), places=10, allow_nan=False, allow_infinity=False
            ),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_property_decimals_round_trip(values: list[Decimal | None]) -> None:
    array = pa.array(values, pa.decimal128(38, 10))
    tokens = raw_values("decimal(38,10)", array)
    assert [None if token == "null" else Decimal(token) for token in tokens] == values
    assert all(token == "null" or len(token.split(".")[1]) == 10 for token in tokens)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=30))
def test_property_floats_round_trip(values: list[float | None]) -> None:
    lines, _ = encode_lines([("c", "double")], [pa.array(values, pa.float64())])
    assert [orjson.loads(line)["record"]["data"]["c"] for line in lines] == values
