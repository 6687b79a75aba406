"""User-facing failures: one exception type per kind, each carrying a message a user can act on.

Messages name the field, the AWS call and the setup guide's statement, never a secret and never a traceback.
A plain exception, not the CDK's AirbyteTracedException: the `read` verb never imports airbyte_cdk (protocol.py
says why); cdk_bridge.py converts one where the CDK's own code path needs it (spec, check, discover).
"""

from __future__ import annotations

from source_skoot_athena.protocol import FailureType

__all__ = ["AwsCallError", "ConfigError", "FailureType", "QueryError", "UserError", "query_failure_type"]


class UserError(Exception):
    """A failure the user can fix (config, permissions, setup), typed by who can fix it. Reported without a stack
    trace; `message` and `internal_message` are the error trace's fields."""

    def __init__(self, message: str, *, failure_type: FailureType = FailureType.config_error) -> None:
        super().__init__(message)
        self.message = message
        self.internal_message = message
        self.failure_type = failure_type

    def __str__(self) -> str:
        return self.message


class ConfigError(UserError):
    """The config itself is wrong: the message names the field."""


class AwsCallError(UserError):
    """An AWS call failed in a way the user must fix (permissions, names, setup)."""

    def __init__(
        self, message: str, *, code: str = "", transient: bool = False, failure_type: FailureType | None = None
    ) -> None:
        """Transient (throttling, AWS unavailable): transient_error; else `failure_type`, by default config_error."""
        if failure_type is None:
            failure_type = FailureType.transient_error if transient else FailureType.config_error
        super().__init__(message, failure_type=failure_type)
        self.code = code


class QueryError(UserError):
    """An Athena query ended without a result (FAILED, CANCELLED, timed out), typed by who can fix it."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "failed",
        retryable: bool = False,
        error_type: str = "",
        category: int | None = None,
        denied: bool = False,
    ) -> None:
        """`kind`: "failed" (Athena's FAILED), "cancelled", "timeout", "interrupted" or "refused" (not started);
        `category`: AthenaError.ErrorCategory (1 SYSTEM, 2 USER, 3 OTHER); `denied`: failed on permissions."""
        super().__init__(message, failure_type=query_failure_type(kind, category, retryable=retryable, denied=denied))
        self.kind = kind
        self.retryable = retryable
        self.error_type = error_type


# AthenaError.ErrorCategory values (Athena API reference, AthenaError; "Athena error catalog" in the user guide).
ATHENA_SYSTEM_ERROR = 1
ATHENA_USER_ERROR = 2


def query_failure_type(kind: str, category: int | None, *, retryable: bool, denied: bool) -> FailureType:
    """Who can fix a query that gave no result: the user (a permission, the Query Timeout they set, a table whose
    definition Athena rejects: ErrorCategory USER, e.g. HIVE_BAD_DATA, COLUMN_NOT_FOUND) -> config_error; nobody,
    try again (Athena marked it retryable or its own SYSTEM error; an interrupted sync) -> transient_error; else
    system_error."""
    if denied or kind in ("timeout", "refused"):
        return FailureType.config_error
    if kind == "interrupted" or retryable or category == ATHENA_SYSTEM_ERROR:
        return FailureType.transient_error
    if kind == "failed" and category == ATHENA_USER_ERROR:
        return FailureType.config_error
    return FailureType.system_error
