"""IAM enforcement the way AWS does it for Athena, Glue and S3, on top of moto's own IAM machinery.

Why: the connector must work with exactly the setup guide's policies. moto 5.2.5 authenticates requests and
authorizes S3 against real bucket/object ARNs once ``POST /moto-api/reset-auth`` (body ``0``) turns enforcement
on, but it authorizes Glue and Athena against resource ``*`` only (so a statement naming a Glue database/table or
an Athena workgroup ARN never matches), answers with XML ``403``s instead of AWS's JSON error codes, does not filter
Glue lists by permission, and its Athena reads Glue and S3 behind the caller's back. This module adds:

* Glue/Athena authentication with moto's ``IAMRequest`` (access key lookup, SigV4 signature) answered with AWS's
  JSON codes: ``UnrecognizedClientException`` (unknown key), ``InvalidSignatureException`` (wrong secret),
  ``AccessDeniedException`` (policy), with AWS's message naming the user, action and resource.
* Authorization against the ARNs AWS documents: Glue catalog + database + table per operation (an operation on a
  Data Catalog resource needs permission on the resource and all its ancestors), Athena workgroup ARNs.
* GetDatabases / GetTables filtered to what the caller may read (AWS returns only those).
* ``Principal``: the caller's identity-based policies, evaluated with moto's ``IAMPolicy``; executions keep the
  Principal of the StartQueryExecution caller so the engine checks Glue and S3 with the caller's permissions.
* ``decisions()``: every (action, resource, allowed) evaluated while enforcing, S3 included (for tests that
  record which actions each verb uses).
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from moto import settings
from moto.athena.responses import AthenaResponse
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import InvalidClientTokenIdError, JsonRESTError, SignatureDoesNotMatchError
from moto.glue.responses import GlueResponse
from moto.iam.access_control import (
    IAMPolicy,
    IAMRequest,
    IAMUserAccessKey,
    PermissionResult,
    S3IAMRequest,
    create_access_key,
)
from moto.utilities.utils import get_partition

from .arns import athena_workgroup_arn, glue_arns, glue_database_arn

_LOCK = threading.Lock()
_DECISIONS: list[tuple[str, str, bool]] = []
_ORIGINAL_S3_CHECK = S3IAMRequest.check_action_permitted
_ORIGINAL_AUTHORIZE = {
    cls: cls.__dict__.get("_authenticate_and_authorize_normal_action", cls._authenticate_and_authorize_normal_action)
    for cls in (AthenaResponse, GlueResponse)
}

INVALID_KEY = "The security token included in the request is invalid."
INVALID_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)


# --- decisions (what was evaluated while enforcing) -------------------------------------------------------------
def record(action: str, resource: str, allowed: bool) -> None:
    """Remember one evaluated permission."""
    with _LOCK:
        _DECISIONS.append((action, resource, allowed))


def decisions() -> list[tuple[str, str, bool]]:
    """(action, resource, allowed) of every evaluation since the last ``clear_decisions()``."""
    with _LOCK:
        return list(_DECISIONS)


def clear_decisions() -> None:
    with _LOCK:
        _DECISIONS.clear()


def enforcing() -> bool:
    """True when moto authenticates every request (``reset-auth 0``), as its own check decides it."""
    return bool(ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)


# --- the caller -------------------------------------------------------------------------------------------------
@dataclass
class Principal:
    """An authenticated IAM user: its ARN and its identity-based policies (read fresh at each evaluation)."""

    access_key: IAMUserAccessKey | Any

    @property
    def arn(self) -> str:
        return str(self.access_key.arn)

    def decide(self, action: str, resource: str) -> bool:
        """moto's evaluation: an explicit Deny in any policy wins, else some Allow is needed."""
        permitted = False
        for policy in self.access_key.collect_policies():
            result = IAMPolicy(policy).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                permitted = False
                break
            if result == PermissionResult.PERMITTED:
                permitted = True
        record(action, resource, permitted)
        return permitted

    def first_denied(self, action: str, resources: list[str]) -> str | None:
        """The first resource of ``resources`` the action is not allowed on (None if allowed on all)."""
        for resource in resources:
            if not self.decide(action, resource):
                return resource
        return None

    def denial_text(self, action: str, resource: str) -> str:
        """AWS's AccessDenied message for an identity-based policy that does not allow the action."""
        return (
            f"User: {self.arn} is not authorized to perform: {action} on resource: {resource} because no "
            f"identity-based policy allows the {action} action"
        )


def principal_of(access_key_id: str, account_id: str, region: str) -> Principal | None:
    """The Principal of a known access key (None if moto does not know it)."""
    try:
        return Principal(create_access_key(account_id, get_partition(region), access_key_id, {}))
    except Exception:
        return None


# --- AWS-shaped JSON errors ---------------------------------------------------------------------------------------
class AwsJsonError(JsonRESTError):
    """A JSON-protocol error as Athena/Glue send it (``__type`` + ``Message``), status 400."""

    code = 400

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(error_type, message)
        self.description = json.dumps({"__type": error_type, "Message": message, "message": message})


# --- resources per operation --------------------------------------------------------------------------------------
WorkgroupOf = Callable[[str], "str | None"]  # query execution id -> its workgroup (None if unknown)


def _athena_arns(
    region: str, account: str, operation: str, params: dict[str, Any], workgroup_of: WorkgroupOf
) -> list[str]:
    if operation in ("ListWorkGroups", "ListDataCatalogs", "ListEngineVersions"):
        return ["*"]
    if operation in ("ListDatabases", "GetDatabase", "ListTableMetadata", "GetTableMetadata", "GetDataCatalog"):
        catalog = params.get("CatalogName") or params.get("Name") or "AwsDataCatalog"
        return [f"arn:aws:athena:{region}:{account}:datacatalog/{catalog}"]
    ids = (
        [params["QueryExecutionId"]] if params.get("QueryExecutionId") else list(params.get("QueryExecutionIds") or [])
    )
    if ids:
        # An unknown id is left to the handler (it answers "not found"); a known one needs its workgroup.
        groups = dict.fromkeys(g for g in map(workgroup_of, ids) if g is not None)
        return [athena_workgroup_arn(region, account, g) for g in groups]
    workgroup = params.get("WorkGroup") or params.get("Name") or "primary"
    return [athena_workgroup_arn(region, account, workgroup)]


# --- the request check installed on moto's Glue/Athena responses --------------------------------------------------
def authenticate(response: Any) -> Principal:
    """moto's authentication of a request (key lookup, signature) with the JSON errors Athena/Glue send."""
    parsed_url = urlparse(response.uri)
    path = response.raw_path + ("?" + parsed_url.query if parsed_url.query else "")
    try:
        request = IAMRequest(
            account_id=response.current_account,
            method=response.method,
            path=path,
            data=response.data,
            body=response.raw_body,
            headers=response.headers,
            action=response._get_action(),
        )
        request.check_signature()
    except InvalidClientTokenIdError:
        raise AwsJsonError("UnrecognizedClientException", INVALID_KEY) from None
    except SignatureDoesNotMatchError:
        raise AwsJsonError("InvalidSignatureException", INVALID_SIGNATURE) from None
    return Principal(request._access_key)


def _params(response: Any) -> dict[str, Any]:
    body = response.raw_body or b""
    try:
        value = json.loads(body.decode() if isinstance(body, bytes) else body) if body else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def request_authorizer(workgroup_of: WorkgroupOf) -> Callable[..., None]:
    """Replacement for moto's ``_authenticate_and_authorize_normal_action`` on GlueResponse/AthenaResponse;
    ``workgroup_of`` finds a query's workgroup (Get/StopQueryExecution are authorized against it)."""

    def authorize_request(response: Any, resource: str = "*") -> None:
        if not enforcing():
            ActionAuthenticatorMixin.request_count += 1
            return
        principal = authenticate(response)
        service = response.service_name if hasattr(response, "service_name") else ""
        operation = response._get_action()
        params = _params(response)
        region, account = response.region, response.current_account
        if service == "glue":
            arns = glue_arns(region, account, operation, params)
        else:
            arns = _athena_arns(region, account, operation, params, workgroup_of)
        action = f"{service}:{operation}"
        denied = principal.first_denied(action, arns)
        if denied is not None:
            raise AwsJsonError("AccessDeniedException", principal.denial_text(action, denied))
        response._iam_principal = principal

    return authorize_request


def caller(response: Any) -> Principal | None:
    """The authenticated caller of a request being handled (None when enforcement is off)."""
    principal = getattr(response, "_iam_principal", None)
    return principal if isinstance(principal, Principal) else None


def filter_databases(response: Any, databases: list[Any]) -> list[Any]:
    """GetDatabases lists only the databases the caller may read (glue:GetDatabases on database/<name>)."""
    principal = caller(response)
    if principal is None:
        return databases
    return [
        db
        for db in databases
        if principal.decide("glue:GetDatabases", glue_database_arn(response.region, response.current_account, db.name))
    ]


def filter_tables(response: Any, database: str, tables: list[Any]) -> list[Any]:
    """GetTables lists only the tables the caller may read (glue:GetTables on table/<db>/<name>)."""
    principal = caller(response)
    if principal is None:
        return tables
    prefix = f"arn:aws:glue:{response.region}:{response.current_account}"
    return [t for t in tables if principal.decide("glue:GetTables", f"{prefix}:table/{database}/{t.name}")]


def _recording_s3_check(self: S3IAMRequest, resource: str) -> None:
    """moto's S3 authorization, remembered in ``decisions()``."""
    try:
        _ORIGINAL_S3_CHECK(self, resource)
    except Exception:
        record(self._action, resource, False)
        raise
    record(self._action, resource, True)


def apply(workgroup_of: WorkgroupOf) -> None:
    """Install the Glue/Athena authorization and the S3 decision recording (``remove()`` undoes it)."""
    authorize = request_authorizer(workgroup_of)
    for cls in (AthenaResponse, GlueResponse):
        setattr(cls, "_authenticate_and_authorize_normal_action", authorize)  # noqa: B010
    setattr(S3IAMRequest, "check_action_permitted", _recording_s3_check)  # noqa: B010


def remove() -> None:
    """Give moto back its own authorization (a stopped stand-in leaves no hook holding its state)."""
    for cls in (AthenaResponse, GlueResponse):
        setattr(cls, "_authenticate_and_authorize_normal_action", _ORIGINAL_AUTHORIZE[cls])  # noqa: B010
    setattr(S3IAMRequest, "check_action_permitted", _ORIGINAL_S3_CHECK)  # noqa: B010


# --- set-up: the IAM user, its key and its policy -----------------------------------------------------------------
@dataclass(frozen=True)
class Keys:
    """An IAM user's access key."""

    access_key_id: str
    secret_access_key: str


class Iam:
    """Enforcement switch and the dedicated IAM user of the setup guide (Step 1) with one attached policy."""

    POLICY = "SkootAthenaAccess"

    def __init__(self, server: Any, user: str = "skoot") -> None:
        self._server = server
        self.user = user
        self._keys: Keys | None = None
        self._policy_arn: str | None = None

    def _post_auth(self, value: str) -> None:
        request = Request(
            f"{self._server.url}/moto-api/reset-auth",
            data=value.encode(),
            headers={"Content-Type": "text/plain"},
            method="POST",
        )
        with urlopen(request, timeout=10) as reply:
            reply.read()

    def on(self) -> None:
        """Enforce IAM on every request from now on."""
        self._post_auth("0")

    def off(self) -> None:
        """Stop enforcing (any keys work again)."""
        self._post_auth("inf")

    def keys(self) -> Keys:
        """The user's access key (user and key created on first use, while enforcement is off)."""
        if self._keys is None:
            iam = self._server.client("iam")
            with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
                iam.create_user(UserName=self.user)
            key = iam.create_access_key(UserName=self.user)["AccessKey"]
            self._keys = Keys(key["AccessKeyId"], key["SecretAccessKey"])
        return self._keys

    def set_policy(self, document: str | dict[str, Any]) -> None:
        """Make ``document`` the user's only policy (a managed policy, attached; older versions dropped)."""
        text = document if isinstance(document, str) else json.dumps(document)
        iam = self._server.client("iam")
        self.keys()
        if self._policy_arn is None:
            arn = iam.create_policy(PolicyName=f"{self.POLICY}-{uuid.uuid4().hex[:8]}", PolicyDocument=text)
            self._policy_arn = str(arn["Policy"]["Arn"])
            iam.attach_user_policy(UserName=self.user, PolicyArn=self._policy_arn)
            return
        iam.create_policy_version(PolicyArn=self._policy_arn, PolicyDocument=text, SetAsDefault=True)
        for version in iam.list_policy_versions(PolicyArn=self._policy_arn)["Versions"]:
            if not version["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=self._policy_arn, VersionId=version["VersionId"])

    @contextlib.contextmanager
    def enforce(self, document: str | dict[str, Any] | None = None) -> Iterator[Keys]:
        """Attach ``document`` (if given), enforce IAM inside the block, and always stop enforcing after it."""
        if document is not None:
            self.set_policy(document)
        keys = self.keys()
        clear_decisions()
        self.on()
        try:
            yield keys
        finally:
            self.off()
