"""The `read` verb's own protocol messages (protocol.py, protocol_logging.py, secrets.py) against the CDK's, line for
line: each message kind is built both ways and serialised as each side writes it (the CDK:
`AirbyteEntrypoint.airbyte_message_to_string`; ours: orjson), so the two can never drift apart unnoticed."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateStats,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    AirbyteStreamStatusReason,
    AirbyteStreamStatusReasonType,
    AirbyteTraceMessage,
    EstimateType,
    FailureType,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_skoot_athena import protocol
from source_skoot_athena.config import SPEC
from source_skoot_athena.errors import AwsCallError, ConfigError
from source_skoot_athena.protocol_logging import ProtocolLogFormatter
from source_skoot_athena.read.messages import error_trace, estimate, stream_status
from source_skoot_athena.secrets import filter_secrets, secret_values, use_secrets
from source_skoot_athena.state import StreamKey, StreamState, state_message

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY"
KEYS = [StreamKey("db", "orders"), StreamKey(None, "orders")]


@pytest.fixture(autouse=True)
def _secrets() -> Iterator[None]:
    """The same secret in the CDK's filter and ours; both cleared afterwards."""
    update_secrets([SECRET])
    use_secrets([SECRET])
    yield
    update_secrets([])
    use_secrets([])


def cdk_line(message: AirbyteMessage) -> str:
    return AirbyteEntrypoint.airbyte_message_to_string(message)


def our_line(message: dict[str, Any]) -> str:
    return protocol.to_line(message).decode().removesuffix("\n")


def with_emitted_at(message: AirbyteMessage, ours: dict[str, Any]) -> AirbyteMessage:
    """The CDK's message stamped with our message's time (each side reads the clock itself)."""
    assert message.trace is not None
    message.trace.emitted_at = ours["trace"]["emitted_at"]
    return message


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    "state",
    [
        StreamState(cursor_field="id", cursor_type="bigint", cursor="7", resume_after=["2024-01-01", None]),
        StreamState(full_refresh_complete=True),
        StreamState(),
    ],
)
def test_state_is_the_cdks_line(key: StreamKey, state: StreamState) -> None:
    cdk = AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name=key.name, namespace=key.namespace),
                stream_state=AirbyteStateBlob(**state.to_blob()),
            ),
            sourceStats=AirbyteStateStats(recordCount=12.0),
        ),
    )
    assert our_line(state_message(key, state, 12)) == cdk_line(cdk)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("status", list(AirbyteStreamStatus))
@pytest.mark.parametrize("rate_limited", [False, True])
def test_stream_status_is_the_cdks_line(key: StreamKey, status: AirbyteStreamStatus, rate_limited: bool) -> None:
    ours = stream_status(key, status, rate_limited=rate_limited)
    reasons = [AirbyteStreamStatusReason(type=AirbyteStreamStatusReasonType.RATE_LIMITED)] if rate_limited else None
    cdk = as_airbyte_message(StreamDescriptor(name=key.name, namespace=key.namespace), status, reasons)
    assert our_line(ours) == cdk_line(with_emitted_at(cdk, ours))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(("rows", "size"), [(10, 2048), (None, 2048), (10, None), (None, None)])
def test_estimate_is_the_cdks_line(key: StreamKey, rows: int | None, size: int | None) -> None:
    ours = estimate(key, rows, size)
    cdk = AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ESTIMATE,
            emitted_at=0,
            estimate=AirbyteEstimateTraceMessage(
                name=key.name, namespace=key.namespace, type=EstimateType.STREAM, row_estimate=rows, byte_estimate=size
            ),
        ),
    )
    assert our_line(ours) == cdk_line(with_emitted_at(cdk, ours))


@pytest.mark.parametrize("stream", [None, *KEYS])
@pytest.mark.parametrize(
    "error",
    [
        ConfigError(f"Config field 'Secret Access Key' (secret_access_key) {SECRET} is wrong."),
        AwsCallError("athena:GetWorkGroup was denied", transient=True),
        AwsCallError("no such table", failure_type=FailureType.system_error),
    ],
)
def test_a_user_errors_trace_is_the_cdks_without_stack_trace(stream: StreamKey | None, error: ConfigError) -> None:
    ours = error_trace(error, stream)
    descriptor = StreamDescriptor(name=stream.name, namespace=stream.namespace) if stream is not None else None
    cdk = AirbyteTracedException(
        message=error.message, internal_message=error.internal_message, failure_type=error.failure_type
    ).as_sanitized_airbyte_message(stream_descriptor=descriptor)
    assert cdk.trace is not None and cdk.trace.error is not None
    cdk.trace.error.stack_trace = None  # a user error is not a bug: no stack trace (as before this module)
    assert our_line(ours) == cdk_line(with_emitted_at(cdk, ours))
    assert SECRET not in our_line(ours)


def test_a_bugs_trace_is_the_cdks_with_its_stack_trace() -> None:
    try:
        raise KeyError(f"unexpected {SECRET}")
    except KeyError as exc:
        bug = exc
    ours = error_trace(bug)
    cdk = AirbyteTracedException.from_exception(bug).as_sanitized_airbyte_message()
    assert our_line(ours) == cdk_line(with_emitted_at(cdk, ours))
    assert "Traceback" in ours["trace"]["error"]["stack_trace"] and SECRET not in our_line(ours)


def log_record(level: int, text: str, *, with_exception: bool = False, **extra: Any) -> logging.LogRecord:
    exc_info = None
    if with_exception:
        try:
            raise ValueError(f"boom {SECRET}")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("airbyte", level, __file__, 1, text, None, exc_info)
    record.__dict__.update(extra)
    return record


@pytest.mark.parametrize("level", [logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO])
@pytest.mark.parametrize("with_exception", [False, True])
def test_log_lines_are_the_cdks(level: int, with_exception: bool) -> None:
    record = log_record(level, f'the key {SECRET} "quoted" and ünïcode', with_exception=with_exception)
    ours = ProtocolLogFormatter().format(record)
    assert ours == AirbyteLogFormatter(fmt="%(message)s").format(record)
    assert SECRET not in ours and orjson.loads(ours)["type"] == "LOG"


def test_a_custom_level_is_info() -> None:
    """The CDK's formatter fails on a level it has no name for (it passes the text "INFO" where its serializer
    wants the enum); ours writes INFO."""
    assert orjson.loads(ProtocolLogFormatter().format(log_record(25, "x")))["log"] == {"level": "INFO", "message": "x"}


@pytest.mark.parametrize("platform_debug", [False, True])
def test_debug_lines_are_the_cdks(platform_debug: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "debug" if platform_debug else "info")
    record = log_record(logging.DEBUG, f"request with {SECRET}", url="https://athena")
    assert ProtocolLogFormatter().format(record) == AirbyteLogFormatter(fmt="%(message)s").format(record)


NESTED_SPEC = {
    "properties": {
        "password": {"type": "string", "airbyte_secret": True},
        "auth": {
            "oneOf": [
                {"properties": {"token": {"type": "string", "airbyte_secret": True}}},
                {"properties": {"key": {"type": "string", "airbyte_secret": True}, "user": {"type": "string"}}},
            ]
        },
        "plain": {"type": "string"},
    }
}


@pytest.mark.parametrize(
    ("spec", "config"),
    [
        (SPEC["connectionSpecification"], {"access_key_id": "AKIA1", "secret_access_key": SECRET, "workgroup": "w"}),
        (SPEC["connectionSpecification"], {"session_token": "tok", "external_id": "ext", "aws_region": "x"}),
        (NESTED_SPEC, {"password": "pw", "auth": {"key": "k1", "user": "u"}, "plain": "p"}),
        (NESTED_SPEC, {"auth": {"token": "t1"}}),
    ],
)
def test_the_secrets_are_the_cdks(spec: dict[str, Any], config: dict[str, Any]) -> None:
    assert secret_values(spec, config) == get_secrets(spec, config)


def test_every_secret_is_masked_everywhere_in_a_text() -> None:
    use_secrets(["s3cr3t", "", None, 12345])
    assert filter_secrets("a s3cr3t, again s3cr3t, and 12345") == "a ****, again ****, and ****"
