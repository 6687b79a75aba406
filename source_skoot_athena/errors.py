"""User-facing failures: one exception type per kind, each carrying a message a user can act on.

Messages name the field, the AWS call and the setup guide's statement, never a secret and never a traceback.
"""

from __future__ import annotations

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


class UserError(AirbyteTracedException):
    """A failure the user can fix (config, permissions, setup). Reported without a stack trace."""

    def __init__(self, message: str, *, failure_type: FailureType = FailureType.config_error) -> None:
        super().__init__(message=message, internal_message=message, failure_type=failure_type)

    def __str__(self) -> str:
        return self.message or ""


class ConfigError(UserError):
    """The config itself is wrong: the message names the field."""


class AwsCallError(UserError):
    """An AWS call failed in a way the user must fix (permissions, names, setup)."""

    def __init__(self, message: str, *, code: str = "", transient: bool = False) -> None:
        super().__init__(message, failure_type=FailureType.transient_error if transient else FailureType.config_error)
        self.code = code


class QueryError(UserError):
    """An Athena query ended without a result (FAILED, CANCELLED, timed out)."""

    def __init__(self, message: str, *, kind: str = "failed", retryable: bool = False, error_type: str = "") -> None:
        """`kind`: "failed" (Athena's FAILED), "cancelled", "timeout", "interrupted" or "refused" (not started)."""
        super().__init__(message, failure_type=FailureType.system_error)
        self.kind = kind
        self.retryable = retryable
        self.error_type = error_type
