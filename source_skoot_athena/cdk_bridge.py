"""Where the CDK's own code paths (spec, check, discover, in-process harnesses) meet the CDK-free read path:
our dict messages as the CDK's AirbyteMessage, our UserError as the CDK's AirbyteTracedException, the CDK's
state messages as the dicts state.py parses. Imports airbyte_cdk: never imported by the `read` verb."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, AirbyteStateMessage
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteStateMessageSerializer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_skoot_athena.errors import UserError
from source_skoot_athena.protocol import Message


def cdk_message(message: Message) -> AirbyteMessage:
    """A protocol message built by protocol.py as the CDK's dataclass."""
    return AirbyteMessageSerializer.load(message)


class TracedUserError(AirbyteTracedException):
    """A UserError as the CDK's exception (same message, internal message and failure type), for the CDK's code
    paths that catch AirbyteTracedException; `user_error` is the original (reported without a stack trace)."""

    def __init__(self, user_error: UserError) -> None:
        super().__init__(
            message=user_error.message,
            internal_message=user_error.internal_message,
            failure_type=user_error.failure_type,
        )
        self.user_error = user_error


def traced(exc: UserError) -> TracedUserError:
    return TracedUserError(exc)


def cdk_state_messages(messages: Sequence[dict[str, Any]]) -> list[AirbyteStateMessage]:
    """Validated `--state` messages (state.parse_state_input) as the CDK's dataclasses."""
    return [AirbyteStateMessageSerializer.load(message) for message in messages]


def state_dicts(messages: Sequence[AirbyteStateMessage]) -> list[dict[str, Any]]:
    """The CDK's state messages back as decoded JSON, for state.parse_states."""
    return [AirbyteStateMessageSerializer.dump(message) for message in messages]
