"""Athena-shaped query failures (AthenaError fields + StateChangeReason text).

Why: the connector turns FAILED queries into user messages and retry decisions from exactly these fields.
"""

from __future__ import annotations

import re

import duckdb

# error_type name -> (ErrorCategory, numeric ErrorType) per Athena's error catalog (1 SYSTEM, 2 USER).
_CODES: dict[str, tuple[int, int]] = {
    "SYNTAX_ERROR": (2, 1000),
    "TABLE_NOT_FOUND": (2, 1000),
    "SCHEMA_NOT_FOUND": (2, 1000),
    "COLUMN_NOT_FOUND": (2, 1000),
    "FUNCTION_NOT_FOUND": (2, 1000),
    "TYPE_MISMATCH": (2, 1000),
    "INVALID_CAST_ARGUMENT": (2, 1001),
    "GENERIC_USER_ERROR": (2, 1000),
    "HIVE_PATH_ALREADY_EXISTS": (2, 1000),
    "NOT_SUPPORTED": (2, 1000),
    "PERMISSION_DENIED": (2, 1000),
    "INTERNAL_ERROR": (1, 200),
    "GENERIC_INTERNAL_ERROR": (1, 200),
}


class AthenaQueryError(Exception):
    """A query failure as Athena reports it."""

    def __init__(self, error_type: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.retryable = retryable

    @property
    def reason(self) -> str:
        """StateChangeReason text, e.g. ``TABLE_NOT_FOUND: line 1:15: Table '…' does not exist``."""
        return f"{self.error_type}: {self.message}"

    def athena_error(self) -> dict[str, object]:
        """The AthenaError structure of GetQueryExecution."""
        category, code = _CODES.get(self.error_type, (2, 1000))
        return {
            "ErrorCategory": category,
            "ErrorType": code,
            "Retryable": self.retryable,
            "ErrorMessage": self.reason,
        }


class AthenaPermissionError(AthenaQueryError):
    """A query the caller's IAM permissions do not allow: Athena's reason is the bare message (no error name)."""

    def __init__(self, message: str) -> None:
        super().__init__("PERMISSION_DENIED", message)

    @property
    def reason(self) -> str:
        return self.message


def s3_read_denied(url: str) -> AthenaPermissionError:
    """Reading table data (listing its location or getting an object) was denied."""
    return AthenaPermissionError(f"Permission denied on S3 path: {url}")


def s3_write_denied(url: str) -> AthenaPermissionError:
    """Writing the query's result (or UNLOAD) files was denied."""
    return AthenaPermissionError(
        f"Access denied when writing output to url: {url} . Please ensure you are allowed to access the S3 bucket. "
        "If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key"
    )


def glue_denied(denial: str) -> AthenaPermissionError:
    """A Glue Data Catalog call Athena made for the caller was denied (``denial`` is AWS's AccessDenied text)."""
    return AthenaPermissionError(
        f"Insufficient permissions to execute the query. {denial} (Service: AmazonDataCatalog; Status Code: 400; "
        "Error Code: AccessDeniedException; Proxy: null)"
    )


def from_duckdb(exc: Exception) -> AthenaQueryError:
    """Map a DuckDB exception to the nearest Athena error type."""
    text = str(exc).split("\n")[0]
    if isinstance(exc, duckdb.ParserException):
        return AthenaQueryError("SYNTAX_ERROR", f"line 1:1: {text}")
    if isinstance(exc, duckdb.BinderException):
        m = re.search(r'Referenced column "([^"]+)" not found', str(exc))
        if m:
            return AthenaQueryError(
                "COLUMN_NOT_FOUND",
                f"line 1:8: Column '{m.group(1)}' cannot be resolved or requester is not authorized to access "
                "requested resources",
            )
        if "function" in text.lower():
            return AthenaQueryError("FUNCTION_NOT_FOUND", f"line 1:8: {text}")
        return AthenaQueryError("TYPE_MISMATCH", f"line 1:8: {text}")
    if isinstance(exc, duckdb.CatalogException):
        if "Function" in text or "function" in text:
            return AthenaQueryError("FUNCTION_NOT_FOUND", f"line 1:8: {text}")
        return AthenaQueryError("TABLE_NOT_FOUND", f"line 1:15: {text}")
    if "HIVE_BAD_DATA: " in text:  # a SerDe's refusal of a field, raised in SQL (text_serdes)
        return AthenaQueryError("HIVE_BAD_DATA", text.split("HIVE_BAD_DATA: ", 1)[1])
    if isinstance(exc, duckdb.ConversionException | duckdb.InvalidInputException | duckdb.OutOfRangeException):
        return AthenaQueryError("INVALID_CAST_ARGUMENT", text)
    return AthenaQueryError("GENERIC_INTERNAL_ERROR", text)
