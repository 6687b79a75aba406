"""Replacements for moto's Athena response handlers (moto 5.2.5 ``moto/athena/responses.py``).

Why: moto runs no SQL, ignores paging and enforced output locations, never FAILs, cancels finished queries and
returns null for unknown workgroups. These handlers keep moto's workgroup store but own query executions.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.athena.models import WorkGroup, athena_backends
from moto.athena.responses import AthenaResponse

from . import iam, moto_patching
from .executions import Execution, statement_kind
from .moto_state import split_s3_url
from .result_files import read_rows
from .runtime import Runtime

Reply = str | tuple[str, dict[str, int]]
MAX_QUERY_BYTES = 262144
PATCHED = (
    "start_query_execution",
    "get_query_execution",
    "get_query_results",
    "stop_query_execution",
    "list_query_executions",
    "get_work_group",
    "list_work_groups",
)


def _invalid(message: str, code: str = "INVALID_INPUT") -> tuple[str, dict[str, int]]:
    return json.dumps({"__type": "InvalidRequestException", "AthenaErrorCode": code, "Message": message}), {
        "status": 400
    }


def _concurrent_query_limit_exceeded() -> tuple[str, dict[str, int]]:
    """Athena's answer to one query over the active-query quota: TooManyRequestsException, HTTP 400, with
    Reason CONCURRENT_QUERY_LIMIT_EXCEEDED (Athena API Reference, StartQueryExecution errors and the
    TooManyRequestsException type; quota: https://docs.aws.amazon.com/athena/latest/ug/service-limits.html)."""
    message = (
        "You have exceeded the limit for the number of queries you can run concurrently. Please reduce the number "
        "of concurrent queries submitted by this account. Contact customer support to request a concurrent query "
        "limit increase."
    )
    body = {"__type": "TooManyRequestsException", "Message": message, "Reason": "CONCURRENT_QUERY_LIMIT_EXCEEDED"}
    return json.dumps(body), {"status": 400}


def _workgroup(resp: AthenaResponse, name: str) -> WorkGroup | None:
    wg: WorkGroup | None = athena_backends[resp.current_account][resp.region].work_groups.get(name)
    return wg


def _execution_dict(ex: Execution) -> dict[str, Any]:
    status: dict[str, Any] = {"State": ex.state, "SubmissionDateTime": ex.submitted}
    if ex.completed is not None:
        status["CompletionDateTime"] = ex.completed
    if ex.reason:
        status["StateChangeReason"] = ex.reason
    if ex.athena_error:
        status["AthenaError"] = ex.athena_error
    stats: dict[str, Any] = {
        "EngineExecutionTimeInMillis": ex.engine_ms,
        "DataScannedInBytes": ex.scanned_bytes,
        "TotalExecutionTimeInMillis": int(((ex.completed or ex.submitted) - ex.submitted) * 1000),
        "QueryQueueTimeInMillis": 0,
        "ServicePreProcessingTimeInMillis": 0,
        "QueryPlanningTimeInMillis": 0,
        "ServiceProcessingTimeInMillis": 0,
        "ResultReuseInformation": {"ReusedPreviousResult": False},
    }
    if ex.manifest_location:
        stats["DataManifestLocation"] = ex.manifest_location
    output = ex.unload_target if ex.kind == "UNLOAD" and ex.unload_target else ex.output_location + f"{ex.id}.csv"
    context: dict[str, str] = {"Catalog": ex.catalog}
    if ex.database:
        context["Database"] = ex.database
    return {
        "QueryExecutionId": ex.id,
        "Query": ex.sql,
        "StatementType": ex.statement_type,
        "SubstatementType": ex.kind,
        "ResultConfiguration": {"OutputLocation": output},
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
        "QueryExecutionContext": context,
        "Status": status,
        "Statistics": stats,
        "WorkGroup": ex.workgroup,
        "EngineVersion": {
            "SelectedEngineVersion": "AUTO",
            "EffectiveEngineVersion": "Athena engine version 3",
        },
    }


def _output_location(self: AthenaResponse, wg_name: str) -> str | tuple[str, dict[str, int]]:
    """The query's output directory: the workgroup's when enforced, else the request's, else the workgroup's; or
    Athena's InvalidRequestException (unknown or disabled workgroup, no location)."""
    wg = _workgroup(self, wg_name)
    if wg is None:
        return _invalid(f"WorkGroup {wg_name} is not found.")
    if getattr(wg, "state", "ENABLED") != "ENABLED":
        return _invalid(f"WorkGroup {wg_name} is disabled.")
    config = wg.configuration or {}
    wg_loc = (config.get("ResultConfiguration") or {}).get("OutputLocation")
    req_loc = (self._get_param("ResultConfiguration") or {}).get("OutputLocation")
    location = wg_loc if config.get("EnforceWorkGroupConfiguration", True) and wg_loc else (req_loc or wg_loc)
    if not location:
        return _invalid(
            "No output location provided. An output location is required either through the Workgroup "
            "result configuration setting or as an API input."
        )
    return str(location) if str(location).endswith("/") else f"{location}/"


def start_query_execution(rt: Runtime, self: AthenaResponse) -> Reply:
    """Resolve workgroup and output location like Athena, then run the SQL in the background."""
    query = self._get_param("QueryString")
    if not query or not query.strip():
        return _invalid("QueryString must not be empty")
    if len(query.encode()) > MAX_QUERY_BYTES:
        return _invalid("Query string exceeds the maximum length of 262144 bytes")
    token = self._get_param("ClientRequestToken")
    if token and token in rt.executor.tokens:
        return json.dumps({"QueryExecutionId": rt.executor.tokens[token]})
    wg_name = self._get_param("WorkGroup") or "primary"
    location = _output_location(self, wg_name)
    if isinstance(location, tuple):
        return location
    principal = iam.caller(self)
    if principal is not None:
        # Athena has no service role: it checks the caller's access to the output bucket before queueing.
        bucket, _ = split_s3_url(location)
        if not principal.decide("s3:GetBucketLocation", f"arn:aws:s3:::{bucket}"):
            return _invalid(f"Unable to verify/create output bucket {bucket}")
    context = self._get_param("QueryExecutionContext") or {}
    ex = Execution(
        id=rt.executor.new_id(),
        sql=query,
        workgroup=wg_name,
        catalog=context.get("Catalog") or "AwsDataCatalog",
        database=context.get("Database"),
        output_location=location,
        account_id=self.current_account,
        region=self.region,
        kind=statement_kind(query),
        principal=principal,
    )
    if not rt.executor.start(ex):
        return _concurrent_query_limit_exceeded()
    if token:
        rt.executor.tokens[token] = ex.id
    rt.record_query(ex.id)
    return json.dumps({"QueryExecutionId": ex.id})


def _lookup(rt: Runtime, self: AthenaResponse) -> Execution | tuple[str, dict[str, int]]:
    qid = self._get_param("QueryExecutionId")
    ex = rt.executor.executions.get(qid or "")
    if ex is None:
        return _invalid(f"QueryExecution {qid} was not found")
    return ex


def get_query_execution(rt: Runtime, self: AthenaResponse) -> Reply:
    """The execution's state, reason, AthenaError and statistics."""
    ex = _lookup(rt, self)
    if not isinstance(ex, Execution):
        return ex
    return json.dumps({"QueryExecution": _execution_dict(ex)})


def batch_get_query_execution(rt: Runtime, self: AthenaResponse) -> Reply:
    """Several executions at once; unknown ids are listed as unprocessed."""
    ids = self._get_param("QueryExecutionIds") or []
    found, missing = [], []
    for qid in ids:
        ex = rt.executor.executions.get(qid)
        if ex is None:
            missing.append({"QueryExecutionId": qid, "ErrorCode": "INVALID_INPUT", "ErrorMessage": "not found"})
        else:
            found.append(_execution_dict(ex))
    return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing})


def _token(qid: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{qid}:{offset}".encode()).decode()


def get_query_results(rt: Runtime, self: AthenaResponse) -> Reply:
    """A page of rows as text; header row first on page 1; MaxResults ≤ 1000; NextToken paging."""
    ex = _lookup(rt, self)
    if not isinstance(ex, Execution):
        return ex
    max_results = self._get_param("MaxResults")
    if max_results is not None and int(max_results) > 1000:
        return _invalid(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000"
        )
    if ex.state in ("QUEUED", "RUNNING"):
        return _invalid(f"Query has not yet finished. Current state: {ex.state}")
    if ex.state != "SUCCEEDED":
        return _invalid(f"Query did not finish successfully. Final query state: {ex.state}")
    limit = int(max_results) if max_results is not None else 1000
    next_token = self._get_param("NextToken")
    offset = 0
    if next_token:
        try:
            tqid, toff = base64.urlsafe_b64decode(next_token.encode()).decode().rsplit(":", 1)
            offset = int(toff)
            if tqid != ex.id:
                raise ValueError
        except Exception:
            return _invalid("The NextToken provided is invalid")
    handle = ex.result
    if handle is None:  # UNLOAD / no result set
        return json.dumps({"UpdateCount": 0, "ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": []}}})
    rows_out: list[dict[str, Any]] = []
    # Logical row 0 is the header; data row i is logical row i+1.
    if offset == 0:
        rows_out.append({"Data": [{"VarCharValue": c["Name"]} for c in handle.columns]})
        data = read_rows(handle, 0, limit - 1)
    else:
        data = read_rows(handle, offset - 1, limit)
    for row in data:
        rows_out.append({"Data": [{} if v is None else {"VarCharValue": v} for v in row]})
    end = offset + len(rows_out)
    result: dict[str, Any] = {
        "UpdateCount": 0,
        "ResultSet": {"Rows": rows_out, "ResultSetMetadata": {"ColumnInfo": handle.columns}},
    }
    if end < handle.row_count + 1:
        result["NextToken"] = _token(ex.id, end)
    return json.dumps(result)


def stop_query_execution(rt: Runtime, self: AthenaResponse) -> Reply:
    """Cancel a QUEUED/RUNNING query; a finished query is left as it was."""
    ex = _lookup(rt, self)
    if not isinstance(ex, Execution):
        return ex
    rt.executor.stop(ex)
    return json.dumps({})


def list_query_executions(rt: Runtime, self: AthenaResponse) -> Reply:
    """Ids of the workgroup's executions, newest first, paged by MaxResults (≤ 50) / NextToken."""
    wg = self._get_param("WorkGroup") or "primary"
    ids = [ex.id for ex in reversed(list(rt.executor.executions.values())) if ex.workgroup == wg]
    limit = min(int(self._get_param("MaxResults") or 50), 50)
    token = self._get_param("NextToken")
    start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    out: dict[str, Any] = {"QueryExecutionIds": ids[start : start + limit]}
    if start + limit < len(ids):
        out["NextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return json.dumps(out)


DEFAULT_ENGINE = "Athena engine version 3"


def _wg_config(wg: WorkGroup) -> dict[str, Any]:
    config = dict(wg.configuration or {})
    config.setdefault("EnforceWorkGroupConfiguration", True)
    engine = getattr(wg, "engine_version", DEFAULT_ENGINE)
    config["EngineVersion"] = {
        "SelectedEngineVersion": "AUTO" if engine == DEFAULT_ENGINE else engine,
        "EffectiveEngineVersion": engine,
    }
    config.setdefault("PublishCloudWatchMetricsEnabled", False)
    config.setdefault("RequesterPaysEnabled", False)
    return config


def get_work_group(rt: Runtime, self: AthenaResponse) -> Reply:
    """The workgroup, or InvalidRequestException when unknown (moto returns null)."""
    name = self._get_param("WorkGroup")
    wg = _workgroup(self, name or "")
    if wg is None:
        return _invalid(f"WorkGroup {name} is not found.")
    return json.dumps(
        {
            "WorkGroup": {
                "Name": wg.name,
                "State": getattr(wg, "state", "ENABLED"),
                "Configuration": _wg_config(wg),
                "Description": wg.description or "",
                "CreationTime": getattr(wg, "creation_time", 0.0),
            }
        }
    )


def list_work_groups(rt: Runtime, self: AthenaResponse) -> Reply:
    """Workgroup summaries with their engine version."""
    groups = athena_backends[self.current_account][self.region].work_groups.values()
    return json.dumps(
        {
            "WorkGroups": [
                {
                    "Name": wg.name,
                    "State": getattr(wg, "state", "ENABLED"),
                    "Description": wg.description or "",
                    "CreationTime": getattr(wg, "creation_time", 0.0),
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                }
                for wg in groups
            ]
        }
    )


ADDED = ("batch_get_query_execution",)  # not implemented by moto 5.2.5


def apply(rt: Runtime) -> None:
    """Install the handlers on moto's AthenaResponse, bound to ``rt``."""
    moto_patching.install(AthenaResponse, {name: globals()[name] for name in PATCHED + ADDED}, rt)


def remove() -> None:
    """Give moto back its own handlers."""
    moto_patching.remove(AthenaResponse, PATCHED + ADDED)
