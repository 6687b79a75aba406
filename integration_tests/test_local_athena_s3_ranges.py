"""The stand-in's ranged GetObject answers as S3 does (local_athena/s3_ranges.py), and its range faults hold or fail.

S3 API reference, GetObject "Range" (one range per request, RFC 9110 §14.1.2); RFC 9110 §14.1.1 (no range of an
empty representation is satisfiable: 416 InvalidRange).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import botocore.exceptions
import pytest

from local_athena import LocalAthena

BUCKET = "skoot-athena-results"


def put(athena: LocalAthena, key: str, body: bytes) -> Any:
    s3 = athena.client("s3")
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return s3


@pytest.mark.parametrize(
    ("spec", "status", "content_range", "expected"),
    [
        ("bytes=-4", 206, "bytes 6-9/10", b"6789"),
        ("bytes=-64", 206, "bytes 0-9/10", b"0123456789"),  # a suffix longer than the object: all of it
        ("bytes=2-4", 206, "bytes 2-4/10", b"234"),
        ("bytes=5-100", 206, "bytes 5-9/10", b"56789"),  # past the end: cut at the last byte
        ("bytes=7-", 206, "bytes 7-9/10", b"789"),
        ("bytes=4-2", 200, None, b"0123456789"),  # not a valid range: ignored
        ("bytes=0-1,4-5", 200, None, b"0123456789"),  # S3 serves one range per request
    ],
)
def test_ranges_of_an_object(
    athena: LocalAthena, spec: str, status: int, content_range: str | None, expected: bytes
) -> None:
    s3 = put(athena, "ranges/ten", b"0123456789")
    response = s3.get_object(Bucket=BUCKET, Key="ranges/ten", Range=spec)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response.get("ContentRange") == content_range
    assert response["ContentLength"] == len(expected)
    assert response["Body"].read() == expected


@pytest.mark.parametrize(
    ("key", "body", "spec"),
    [
        ("ranges/ten", b"0123456789", "bytes=10-20"),
        ("ranges/empty", b"", "bytes=0-"),
        ("ranges/empty", b"", "bytes=0-0"),
    ],
)
def test_unsatisfiable_ranges_are_416_invalid_range(athena: LocalAthena, key: str, body: bytes, spec: str) -> None:
    s3 = put(athena, key, body)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.get_object(Bucket=BUCKET, Key=key, Range=spec)
    assert caught.value.response["Error"]["Code"] == "InvalidRange"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_a_suffix_range_of_an_empty_object_is_the_empty_object(athena: LocalAthena) -> None:
    """S3 answers 200 with no body (apache/arrow-rs-object-store#846), not 416 as RFC 9110 would."""
    s3 = put(athena, "ranges/empty-tail", b"")
    response = s3.get_object(Bucket=BUCKET, Key="ranges/empty-tail", Range="bytes=-64")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response.get("ContentRange") is None and response["ContentLength"] == 0
    assert response["Body"].read() == b""


def test_ranges_of_a_large_object_are_its_bytes(athena: LocalAthena) -> None:
    data = os.urandom(3 << 20)
    s3 = put(athena, "ranges/large", data)
    for first, last in [(0, 0), (1 << 20, (2 << 20) - 1), ((3 << 20) - 5, (3 << 20) - 1)]:
        body = s3.get_object(Bucket=BUCKET, Key="ranges/large", Range=f"bytes={first}-{last}")["Body"].read()
        assert body == data[first : last + 1]
    assert s3.get_object(Bucket=BUCKET, Key="ranges/large", Range="bytes=-100")["Body"].read() == data[-100:]


def test_held_ranges_wait_for_release_and_others_do_not(athena: LocalAthena) -> None:
    s3 = put(athena, "ranges/held", b"0123456789")
    hold = athena.faults.hold_ranges("s3:GetObject", from_byte=5)
    assert s3.get_object(Bucket=BUCKET, Key="ranges/held", Range="bytes=0-4")["Body"].read() == b"01234"
    assert s3.get_object(Bucket=BUCKET, Key="ranges/held", Range="bytes=-3")["Body"].read() == b"789"
    assert hold.held == 0
    got: list[bytes] = []

    def held_get() -> None:
        got.append(s3.get_object(Bucket=BUCKET, Key="ranges/held", Range="bytes=5-9")["Body"].read())

    thread = threading.Thread(target=held_get)
    thread.start()
    try:
        assert hold.arrived.wait(30), "the GET reached the stand-in"
        assert got == [], "a range from byte 5 on is held until released"
    finally:
        hold.release.set()
    thread.join()
    assert got == [b"56789"]
    assert hold.held == 1


def test_error_after_some_calls(athena: LocalAthena) -> None:
    s3 = put(athena, "ranges/after", b"0123456789")
    rule = athena.faults.error("s3:GetObject", "AccessDenied", status=403, count=1, after=2)
    for _ in range(2):
        assert s3.get_object(Bucket=BUCKET, Key="ranges/after")["Body"].read() == b"0123456789"
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.get_object(Bucket=BUCKET, Key="ranges/after")
    assert s3.get_object(Bucket=BUCKET, Key="ranges/after")["Body"].read() == b"0123456789"
    assert rule.fired == 1


def test_stream_rate_paces_bodies_without_changing_them(athena: LocalAthena) -> None:
    data = os.urandom(300_000)
    s3 = put(athena, "ranges/paced", data)
    rate = athena.faults.stream_rate("s3:GetObject", 50e6)
    assert s3.get_object(Bucket=BUCKET, Key="ranges/paced")["Body"].read() == data
    assert s3.get_object(Bucket=BUCKET, Key="ranges/paced", Range="bytes=1000-1999")["Body"].read() == data[1000:2000]
    assert rate.sent == len(data) + 1000, "both bodies went through the pacing"
    athena.faults.clear()
    assert athena.faults.rate_for("s3:GetObject") is None


def test_ranges_read_logs_every_get_object_in_arrival_order(athena: LocalAthena) -> None:
    s3 = put(athena, "ranges/logged", b"0123456789")
    athena.reset_observations()
    s3.get_object(Bucket=BUCKET, Key="ranges/logged", Range="bytes=-4")
    s3.get_object(Bucket=BUCKET, Key="ranges/logged")
    s3.get_object(Bucket=BUCKET, Key="ranges/logged", Range="bytes=2-4")
    s3.head_object(Bucket=BUCKET, Key="ranges/logged")  # not a GetObject: not logged

    path = f"{BUCKET}/ranges/logged"
    assert athena.ranges_read() == [(path, "bytes=-4"), (path, ""), (path, "bytes=2-4")]
    athena.reset_observations()
    assert athena.ranges_read() == []
