"""Why a query did not give a result, in words a user can act on: a refused start, a FAILED or CANCELLED query.

Athena has no service role: it reads Glue and the data, and writes the results, as the caller; so a permission
failure names the IAM action and the setup guide's statement (Sid) that grants it.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import DATA_READ_SIDS, GLUE_SIDS, STATEMENT_FOR_ACTION, describe_error, error_code
from source_skoot_athena.errors import ATHENA_USER_ERROR, QueryError, UserError
from source_skoot_athena.lake_formation import lake_formation_hint

_NOT_AUTHORIZED = re.compile(r"not authorized to perform: ([\w-]+:\w+)(?: on resource: (\S+))?", re.I)
_S3_URL = re.compile(r"s3://([^/\s]+)(/\S*)?")
_OUTPUT_BUCKET = re.compile(r"Unable to verify/create output bucket (\S+)", re.I)


def start_error(exc: botocore.exceptions.ClientError, workgroup: str) -> UserError:
    """Why Athena refused to start a query, and what to grant or set."""
    if error_code(exc) == "InvalidRequestException":
        message = str(exc.response.get("Error", {}).get("Message", ""))
        bucket = _OUTPUT_BUCKET.search(message)
        if bucket:
            # Athena checks the caller's access to the result bucket before it accepts a query.
            return QueryError(
                f"Athena refused to start the query (InvalidRequestException): {message[:500]} — grant "
                f"s3:GetBucketLocation and s3:ListBucket on arn:aws:s3:::{bucket.group(1)} — statement "
                "SkootAthenaResultsS3 (setup guide, Step 2).",
                kind="refused",
            )
        needs_location = "output" in message.lower() or "location" in message.lower()
        return QueryError(
            f"Athena refused to start the query (InvalidRequestException): {message[:500]}"
            + (" — the workgroup needs a query result location (setup guide prerequisites)." if needs_location else ""),
            category=ATHENA_USER_ERROR,  # a request Athena rejects (4xx): the workgroup's or the query's setup
        )
    return describe_error(exc, "athena:StartQueryExecution", what=f"workgroup {workgroup}")


def unfinished_query_error(query_id: str, execution: dict[str, Any]) -> QueryError:
    """A CANCELLED or FAILED query (GetQueryExecution's `QueryExecution`) as a QueryError; FAILED keeps whether
    Athena marks it retryable."""
    status = execution["Status"]
    reason = str(status.get("StateChangeReason", "")).strip()
    athena_error = status.get("AthenaError", {}) or {}
    if status["State"] == "CANCELLED":
        return QueryError(
            f"Athena query {query_id} was cancelled{': ' + reason if reason else ''} (someone stopped it in "
            "the Athena console or the workgroup cancelled it).",
            kind="cancelled",
        )
    error_type = str(athena_error.get("ErrorType", "") or athena_error.get("ErrorCategory", ""))
    hint = permission_hint(reason)
    category = athena_error.get("ErrorCategory")
    return QueryError(
        f"Athena query {query_id} failed: {reason or 'no reason given'}"
        + (f" (error type {error_type})" if error_type else "")
        + hint,
        retryable=bool(athena_error.get("Retryable", False)),
        error_type=error_type,
        category=category if isinstance(category, int) else None,
        denied=bool(hint),
    )


# A Requester Pays bucket refuses Athena's reads unless the workgroup accepts the charges (RequesterPaysEnabled,
# https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html).
REQUESTER_PAYS_QUERY_HINT = (
    "If it is a Requester Pays bucket, also turn on 'Requester pays S3 buckets' in the workgroup's settings."
)


def permission_hint(reason: str) -> str:
    """For a query FAILED on permissions: the IAM action(s) and the guide's statement that grant what was denied.

    Athena has no service role: it reads Glue and the data, and writes the results, as the caller.
    """
    lowered = reason.lower()
    if "denied" not in lowered and "permission" not in lowered and "not authorized" not in lowered:
        return ""
    lake_formation = lake_formation_hint(reason)
    if lake_formation is not None:
        return lake_formation
    lead = " The query ran with the Skoot user's permissions: grant"
    step = "(setup guide, Step 2)"
    named = _NOT_AUTHORIZED.search(reason)
    if named:
        action, resource = named.group(1), named.group(2)
        sid = STATEMENT_FOR_ACTION.get(action, "the setup guide's Step 2 policy")
        on = f" on {resource}" if resource else ""
        return f"{lead} {action}{on} — statement {sid} {step}."
    url = _S3_URL.search(reason)
    if url:
        bucket = url.group(1)
        if "writing output" in lowered:
            return (
                f"{lead} s3:PutObject on arn:aws:s3:::{bucket}/* — statement SkootAthenaResultsS3 (the workgroup's "
                f"query result location) {step}."
            )
        return (
            f"{lead} s3:ListBucket on arn:aws:s3:::{bucket} and s3:GetObject on arn:aws:s3:::{bucket}/* — statement "
            f"{DATA_READ_SIDS} {step}. {REQUESTER_PAYS_QUERY_HINT}"
        )
    if "glue" in lowered:
        return f"{lead} the Glue actions in statement {GLUE_SIDS} {step}."
    return " The query ran with the Skoot user's permissions: check the setup guide's Step 2 policy."
