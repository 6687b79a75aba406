"""The botocore session of a run, signed in one of the form's three ways, optionally through an assumed IAM role.

Why a module: the seed's static keys are one of three ways to sign in (static keys, temporary keys with their
session token, the default AWS credential chain), and any of them may be the source for assuming a role. A role's
session is short-lived, so its credentials are botocore's refreshable ones: botocore renews them before each call
that falls inside its refresh window (15 min advisory, 10 min mandatory, botocore/credentials.py
`RefreshableCredentials`), and a long sync never signs with an expired session.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import botocore.credentials
import botocore.exceptions
import botocore.session

from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError
from source_skoot_athena.service_models import parse_models_fast

# AssumeRole's DurationSeconds: 1 h, the default maximum session of a role (a role's MaxSessionDuration may be
# raised, never lowered below 1 h: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
ROLE_SESSION_SECONDS = 3600
ROLE_SESSION_NAME = "source-skoot-athena"
TRUST_DENIED_CODES = {"AccessDenied", "AccessDeniedException"}
NO_CREDENTIALS = (
    "no credentials were found. With Credentials 'Default AWS credential chain' the machine running the connector "
    "must provide them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an EC2 instance profile, an ECS task role, or IRSA: "
    "AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE); otherwise choose 'Access keys' and fill in the Access Key ID and "
    "Secret Access Key (setup guide, Step 3)."
)


def _assume_role_error(exc: Exception, config: Config) -> AwsCallError:
    """An AssumeRole failure named by what to fix: the trust policy / external ID, or the source credentials."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        detail = str(exc.response.get("Error", {}).get("Message", ""))[:300]
        if code in TRUST_DENIED_CODES:
            external = (
                "the External ID field must equal the sts:ExternalId value in its Condition"
                if config.external_id
                else "if the trust policy has an sts:ExternalId condition, fill in the External ID field"
            )
            return AwsCallError(
                f"sts:AssumeRole on {config.role_arn} was denied ({code}): the role's trust policy must name the "
                f"signing-in identity as Principal with Action sts:AssumeRole, and {external}; that identity's own "
                f"policy must allow sts:AssumeRole on the role. AWS said: {detail}",
                code=code,
            )
        if code == "ExpiredToken":
            return AwsCallError(
                f"sts:AssumeRole failed with {code}: the temporary keys used to assume {config.role_arn} have "
                "expired. Paste fresh keys and Session Token, or use long-term keys (AKIA…) or the default chain.",
                code=code,
            )
        return AwsCallError(
            f"sts:AssumeRole on {config.role_arn} failed with {code}: {detail} — check the keys or chain used to "
            "assume the role, and the IAM Role ARN.",
            code=code,
        )
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return AwsCallError(f"sts:AssumeRole on {config.role_arn} could not be signed: {NO_CREDENTIALS}")
    return AwsCallError(f"sts:AssumeRole on {config.role_arn} failed: {exc.__class__.__name__}: {exc}", transient=True)


class _AssumedRoleProvider(botocore.credentials.CredentialProvider):
    """A credential provider that yields the role's refreshable credentials (botocore's AssumeRole fetcher)."""

    METHOD = "skoot-assume-role"

    def __init__(self, source: botocore.session.Session, config: Config) -> None:
        super().__init__()
        self._source = source
        self._config = config
        self._fetcher: botocore.credentials.AssumeRoleCredentialFetcher | None = None

    def _role_fetcher(self) -> botocore.credentials.AssumeRoleCredentialFetcher:
        """botocore's AssumeRole fetcher, built on first use (the source credentials are resolved then)."""
        if self._fetcher is None:
            source_credentials = self._source.get_credentials()
            if source_credentials is None:
                raise botocore.exceptions.NoCredentialsError()
            extra: dict[str, Any] = {"RoleSessionName": ROLE_SESSION_NAME, "DurationSeconds": ROLE_SESSION_SECONDS}
            if self._config.external_id:
                extra["ExternalId"] = self._config.external_id
            self._fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
                client_creator=functools.partial(self._source.create_client, region_name=self._config.region),
                source_credentials=source_credentials,
                role_arn=str(self._config.role_arn),
                extra_args=extra,
            )
        return self._fetcher

    def _fetch(self) -> dict[str, Any]:
        try:
            return dict(self._role_fetcher().fetch_credentials())
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise _assume_role_error(exc, self._config) from None

    def load(self) -> botocore.credentials.DeferredRefreshableCredentials:
        return botocore.credentials.DeferredRefreshableCredentials(refresh_using=self._fetch, method=self.METHOD)


class _ReportedRefreshFailure(logging.Filter):
    """Drops botocore's "Refreshing temporary credentials failed" warning (with its traceback) when the failure is
    an AssumeRole error of ours: the connector reports that message itself, as the verb's error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], AwsCallError))


REPORTED_REFRESH_FAILURE = _ReportedRefreshFailure()


def _source_session(config: Config) -> botocore.session.Session:
    """The botocore session signed with the form's keys (and session token), or by the default chain."""
    session = botocore.session.get_session()
    parse_models_fast(session)
    if not config.use_default_chain:
        session.set_credentials(config.access_key_id, config.secret_access_key, config.session_token)
    return session


def session_for(config: Config) -> botocore.session.Session:
    """The one session of a run: the source credentials, or the role they assume (renewed by botocore).

    botocore's own session, not boto3's: boto3 adds nothing the connector uses (resources, S3 transfer methods) and
    its import (s3transfer, multiprocessing) cost ≈ 20 ms of every run's start-up (issue 17)."""
    source = _source_session(config)
    source.set_config_variable("region", config.region)
    if config.role_arn is None:
        return source
    logging.getLogger("botocore.credentials").addFilter(REPORTED_REFRESH_FAILURE)
    assumed = botocore.session.get_session()
    parse_models_fast(assumed)
    resolver = botocore.credentials.CredentialResolver(providers=[_AssumedRoleProvider(source, config)])
    assumed.register_component("credential_provider", resolver)
    assumed.set_config_variable("region", config.region)
    return assumed
