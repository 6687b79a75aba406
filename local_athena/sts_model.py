"""STS temporary credentials as AWS issues and checks them, on top of moto's STS.

Why: the connector signs in with temporary keys (an ``ASIA…`` key + session token) or by assuming a role, and
must say which credential is wrong when AWS refuses one. moto 5.2.5 checks an assumed role's session token and
the role's trust policy (``moto/iam/access_control.py``: ``AssumedRoleAccessKey``, ``_check_role_trust_relationship``
with ``sts:ExternalId``), but its GetSessionToken hands out one fixed ``AKIA…`` example key that signs nothing, and
no temporary credential ever expires. This module adds, while IAM is enforced (``iam.Iam.enforce``):

* GetSessionToken issues ``ASIA…`` keys bound to the calling IAM user: requests signed with them act with that
  user's policies, and only with the session token issued with them
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html; the prefix:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes).
* GetSessionToken needs no permission ("No permissions are required for users to perform this operation",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html);
  moto evaluates it like any action.
* A trust policy's ``StringEquals``/``StringLike`` condition on a key the request does not carry (AssumeRole
  without ExternalId) does not match ("If the key that you specify in a policy condition is not present in the
  request context, the values do not match", unless ``…IfExists``:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html); moto lets it pass.
* Expiry: a temporary key used after its ``Expiration`` is refused with AWS's codes, per protocol: JSON services
  ``ExpiredTokenException`` (https://docs.aws.amazon.com/athena/latest/APIReference/CommonErrors.html), S3
  ``ExpiredToken`` "The provided token has expired." (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
  STS ``ExpiredToken`` (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
* ``lifetime_seconds``: the credentials STS issues from now on expire this many seconds after issue (a test knob
  standing for a session near its end; AWS's own minimum DurationSeconds is 900), and ``expire(key)`` ends one.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from botocore.credentials import Credentials
from moto.core.exceptions import InvalidClientTokenIdError
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.iam import access_control
from moto.iam.access_control import CreateAccessKeyFailure, IAMPolicyStatement, IAMRequest, IAMUserAccessKey
from moto.iam.models import iam_backends
from moto.s3.exceptions import S3ClientError
from moto.sts.models import STSBackend
from moto.sts.responses import TokenResponse

from . import moto_patching
from .iam import AwsJsonError

_SCOPE = re.compile(r"Credential=([^/]+)/\d+/[^/]+/([^/]+)/")
_ORIGINAL_CREATE_ACCESS_KEY = access_control.create_access_key
_ORIGINAL_ASSUME_ROLE = STSBackend.assume_role
_ORIGINAL_PERMITTED = IAMRequest.check_action_permitted
_ORIGINAL_CONDITIONS = IAMPolicyStatement._check_conditions
EXPIRED_JSON = "The security token included in the request is expired"
EXPIRED_S3 = "The provided token has expired."


@dataclass(frozen=True)
class UserSessionKey:
    """Temporary credentials from GetSessionToken: the IAM user's permissions, with a session token."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    user_name: str
    account_id: str


class SessionUserAccessKey(IAMUserAccessKey):
    """moto's IAM-user key, for a GetSessionToken key: the user's ARN and policies, the session token required."""

    def __init__(self, key: UserSessionKey, partition: str, headers: Any) -> None:
        # moto's __init__ looks the key up among the user's long-term keys; this one is temporary.
        self.account_id = key.account_id
        self.partition = partition
        self._owner_user_name = key.user_name
        self._access_key_id = key.access_key_id
        self._secret_access_key = key.secret_access_key
        self._session_token = key.session_token
        if headers.get("X-Amz-Security-Token") != key.session_token:
            raise CreateAccessKeyFailure(reason="InvalidToken")

    def create_credentials(self) -> Any:
        return Credentials(self._access_key_id, self._secret_access_key, self._session_token)


class ExpiredTokenError(InvalidClientTokenIdError):
    """STS's (query protocol, XML, HTTP 403) answer to an expired temporary key: ExpiredToken."""

    def __init__(self) -> None:
        # moto's XML error base (private to moto) through its sibling's MRO: same shape, AWS's code and message.
        super(InvalidClientTokenIdError, self).__init__("ExpiredToken", EXPIRED_JSON)


def _expired_error(headers: Any) -> Exception:
    """The expired-token error in the protocol of the service the request was signed for."""
    match = _SCOPE.search(str(headers.get("Authorization", "")))
    service = match.group(2) if match else "s3"
    if service == "s3":
        return S3ClientError("ExpiredToken", EXPIRED_S3)
    if service in ("athena", "glue"):
        return AwsJsonError("ExpiredTokenException", EXPIRED_JSON)
    return ExpiredTokenError()


class StsModel:
    """Temporary keys issued by GetSessionToken, expiry of every temporary key, and the lifetime knob."""

    def __init__(self) -> None:
        self.lifetime_seconds: float | None = None
        self._lock = threading.Lock()
        self._user_keys: dict[str, UserSessionKey] = {}
        self._expirations: dict[str, dt.datetime] = {}

    def expiration(self, duration_seconds: int) -> dt.datetime:
        """When credentials issued now end: after ``lifetime_seconds`` if set, else after the requested duration."""
        seconds = self.lifetime_seconds if self.lifetime_seconds is not None else duration_seconds
        return utcnow() + dt.timedelta(seconds=seconds)

    def issue_user_key(
        self, user_name: str, account_id: str, duration_seconds: int
    ) -> tuple[UserSessionKey, dt.datetime]:
        key = UserSessionKey(
            access_key_id="ASIA" + secrets.token_hex(8).upper(),
            secret_access_key=secrets.token_urlsafe(30),
            session_token="IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(96),
            user_name=user_name,
            account_id=account_id,
        )
        expires = self.expiration(duration_seconds)
        with self._lock:
            self._user_keys[key.access_key_id] = key
            self._expirations[key.access_key_id] = expires
        return key, expires

    def note_expiration(self, access_key_id: str, expires: dt.datetime) -> None:
        with self._lock:
            self._expirations[access_key_id] = expires

    def expire(self, access_key_id: str) -> None:
        """End a temporary key now (as if its session had run out)."""
        self.note_expiration(access_key_id, utcnow() - dt.timedelta(seconds=1))

    def user_key(self, access_key_id: str) -> UserSessionKey | None:
        with self._lock:
            return self._user_keys.get(access_key_id)

    def expired(self, access_key_id: str) -> bool:
        with self._lock:
            expires = self._expirations.get(access_key_id)
        return expires is not None and expires <= utcnow()

    # --- the handlers installed on moto ------------------------------------------------------------------------
    def create_access_key(self, account_id: str, partition: str, access_key_id: str, headers: Any) -> Any:
        """moto's key lookup, plus GetSessionToken keys and expiry."""
        if self.expired(access_key_id):
            raise _expired_error(headers)
        user_key = self.user_key(access_key_id)
        if user_key is not None:
            return SessionUserAccessKey(user_key, partition, headers)
        return _ORIGINAL_CREATE_ACCESS_KEY(account_id, partition, access_key_id, headers)

    def assume_role(self, backend: STSBackend, **kwargs: Any) -> Any:
        """moto's AssumeRole, with the session's expiry remembered (and shortened by ``lifetime_seconds``)."""
        role = _ORIGINAL_ASSUME_ROLE(backend, **kwargs)
        role.expiration = self.expiration(int(kwargs.get("duration") or 3600))
        self.note_expiration(role.access_key_id, role.expiration)
        return role


def _user_of_key(account_id: str, partition: str, access_key_id: str) -> str | None:
    for user in iam_backends[account_id][partition].list_users("/", None, None):
        if any(key.access_key_id == access_key_id for key in user.access_keys):
            return str(user.name)
    return None


def get_session_token(model: StsModel, response: TokenResponse) -> ActionResult:
    """GetSessionToken for an IAM user's long-term key: new ASIA… keys acting as that user."""
    match = _SCOPE.search(str(response.headers.get("Authorization", "")))
    user = _user_of_key(response.current_account, response.partition, match.group(1)) if match else None
    if user is None:  # not an IAM user's key (enforcement off, test keys): moto's canned answer
        return _ORIGINAL_GET_SESSION_TOKEN(response)
    duration = response._get_int_param("DurationSeconds", 43200)
    key, expires = model.issue_user_key(user, response.current_account, duration)
    credentials = {
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key,
        "SessionToken": key.session_token,
        "Expiration": expires,
    }
    return ActionResult({"Credentials": credentials})


_ORIGINAL_GET_SESSION_TOKEN = TokenResponse.get_session_token


def _check_action_permitted(request: IAMRequest, resource: str) -> None:
    """moto's authorization, except for GetSessionToken, which no policy controls."""
    if request._action != "sts:GetSessionToken":
        _ORIGINAL_PERMITTED(request, resource)


def _string_condition_holds(operator: str, expected: Any, actual: str | None) -> bool:
    if actual is None:
        return operator.endswith("IfExists")
    allowed = [str(value) for value in (expected if isinstance(expected, list) else [expected])]
    if operator.startswith("StringLike"):
        return any(fnmatch.fnmatchcase(actual, pattern) for pattern in allowed)
    return actual in allowed


def _check_conditions(statement: IAMPolicyStatement, incoming: dict[str, str] | None) -> bool:
    """String conditions as IAM evaluates them (absent key: no match); other operators as moto does."""
    conditions: dict[str, dict[str, Any]] = statement._statement.get("Condition") or {}
    if not all(operator.startswith(("StringEquals", "StringLike")) for operator in conditions):
        return bool(_ORIGINAL_CONDITIONS(statement, incoming))
    values = incoming or {}
    return all(
        _string_condition_holds(operator, expected, values.get(key))
        for operator, keys in conditions.items()
        for key, expected in keys.items()
    )


def apply(model: StsModel) -> None:
    """Install the model on moto (``remove()`` undoes it)."""
    access_control.create_access_key = model.create_access_key
    moto_patching.replace(IAMRequest, "check_action_permitted", _check_action_permitted)
    moto_patching.replace(IAMPolicyStatement, "_check_conditions", _check_conditions)

    def assume_role(backend: STSBackend, **kwargs: Any) -> Any:
        return model.assume_role(backend, **kwargs)

    moto_patching.replace(STSBackend, "assume_role", assume_role)
    moto_patching.install(TokenResponse, {"get_session_token": get_session_token}, model)


def remove() -> None:
    access_control.create_access_key = _ORIGINAL_CREATE_ACCESS_KEY
    moto_patching.remove(STSBackend, ("assume_role",))
    moto_patching.remove(IAMRequest, ("check_action_permitted",))
    moto_patching.remove(IAMPolicyStatement, ("_check_conditions",))
    moto_patching.remove(TokenResponse, ("get_session_token",))
