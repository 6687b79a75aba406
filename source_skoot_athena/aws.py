"""AWS access: one botocore session per run, botocore's per-call retries, and AWS errors turned into user messages.

The endpoint comes from botocore's own `AWS_ENDPOINT_URL` handling, so tests and the demo point the unchanged
clients at the local Athena stand-in. Every error names the AWS call, the error code and the setup guide's
statement (Sid) that grants the call.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.config
import botocore.exceptions

from source_skoot_athena.config import Config
from source_skoot_athena.credentials import NO_CREDENTIALS, session_for
from source_skoot_athena.data_catalog import (
    DEFAULT_CATALOG,
    GET_DATA_CATALOG_GRANT,
    add_catalog_id,
    glue_catalog_of,
    not_found,
)
from source_skoot_athena.errors import AwsCallError
from source_skoot_athena.protocol import FailureType
from source_skoot_athena.retry import API_CALL_ATTEMPTS

# Ranged GETs of the result file being read at once (results/ranged_copy.py, where the choice is measured); the S3
# client's connection pool holds them beside every other call, so none waits for a connection or is discarded.
RANGED_GET_WORKERS = 8

# Statement Sids of the setup guide's policies (Step 2), by the action they grant.
GLUE_SIDS = "SkootGlueMetadataAllDatabases (Scope A) or SkootGlueMetadataSelectedDatabases (Scope B)"
STATEMENT_FOR_ACTION = {
    "athena:StartQueryExecution": "SkootAthenaWorkgroupQuery",
    "athena:GetQueryExecution": "SkootAthenaWorkgroupQuery",
    "athena:GetQueryResults": "SkootAthenaWorkgroupQuery",
    "athena:StopQueryExecution": "SkootAthenaWorkgroupQuery",
    "athena:GetWorkGroup": "SkootAthenaWorkgroupQuery",
    "athena:ListWorkGroups": "SkootAthenaListWorkgroups",
    "glue:GetDatabases": GLUE_SIDS,
    "glue:GetDatabase": GLUE_SIDS,
    "glue:GetTables": GLUE_SIDS,
    "glue:GetTable": GLUE_SIDS,
    "glue:GetPartitions": GLUE_SIDS,
    "s3:GetObject": "SkootAthenaResultsS3",
    "s3:PutObject": "SkootAthenaResultsS3",
    "s3:DeleteObject": "SkootAthenaResultsS3",
    "s3:ListBucket": "SkootAthenaResultsS3",
    "s3:GetBucketLocation": "SkootAthenaResultsS3",
    "lakeformation:GetDataAccess": "lakeformation:GetDataAccess (optional, beyond the guide's policy: README Permissions)",
}
# Athena reads table data with the caller's permissions; the bucket decides which statement grants it.
DATA_READ_SIDS = (
    "SkootUnderlyingDataS3 (a bucket that holds table data) or SkootAthenaResultsS3 (the query results bucket)"
)

# AWS's denial text when KMS refused an S3 read/write of an SSE-KMS object on the caller's behalf.
KMS_DENIAL = re.compile(r"perform: (kms:\w+) on resource: (arn:aws[\w-]*:kms:[^\s,]+)")
KMS_RESULT_ACTIONS = "kms:GenerateDataKey (writing results) and kms:Decrypt (reading them)"
DENIED_CODES = {"AccessDeniedException", "AccessDenied", "403", "Forbidden", "UnauthorizedOperation"}
BAD_KEY_CODES = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidClientTokenId",
    "AuthFailure",
}
# Temporary credentials past their expiry: JSON services say ExpiredTokenException, S3 and STS ExpiredToken.
EXPIRED_CODES = {"ExpiredTokenException", "ExpiredToken"}
# S3's answer to a session token that does not belong to the key (JSON services answer UnrecognizedClientException).
BAD_TOKEN_CODES = {"InvalidToken"}
TRANSIENT_CODES = {
    "ThrottlingException",
    "TooManyRequestsException",
    "SlowDown",
    "InternalServerException",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
    "500",
    "503",
}

# Errors that name something the user configured or must set up (a database, table, workgroup, bucket, a value):
# config_error. Every other unexpected code is a system_error.
USER_FIXABLE_CODES = {
    "EntityNotFoundException",
    "InvalidRequestException",
    "InvalidInputException",
    "ValidationException",
    "ResourceNotFoundException",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchWorkGroup",
}


@dataclass
class AwsClients:
    """The clients a run uses, built from one session so they share credentials and region."""

    config: Config
    _clients: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._session = session_for(self.config)
        # A read makes clients and adds S3 hooks from more than one thread (GetWorkGroup runs beside the planning,
        # read/startup.py); a session is not safe for concurrent client creation (boto3 docs, "Multithreading or
        # multiprocessing with resources", botocore's session alike: a session per thread, or no concurrent use).
        self._lock = threading.RLock()
        self._region_lock = threading.RLock()  # one GetBucketLocation per bucket, whoever asks first
        self._s3_hooks: list[Any] = []  # parameter hooks every S3 client gets (whatever its Region)
        self._bucket_regions: dict[str, str] = {}
        # "standard" retries ThrottlingException and TooManyRequestsException (legacy does not retry the
        # latter); the pool fits the concurrent queries (their polls, listings, deletes) plus the ranged GETs of
        # the result being read.
        self._botocore_config = botocore.config.Config(
            retries={"mode": "standard", "total_max_attempts": API_CALL_ATTEMPTS},
            connect_timeout=10,
            read_timeout=120,
            max_pool_connections=max(10, 4 * self.config.max_concurrent_queries) + RANGED_GET_WORKERS,
            user_agent_extra="source-skoot-athena",
        )

    def _client(self, service: str, region: str | None = None) -> Any:
        name = service if region is None else f"{service}@{region}"
        with self._lock:
            if name not in self._clients:
                client = self._session.create_client(service, region_name=region, config=self._botocore_config)
                for hook in self._s3_hooks if service == "s3" else ():
                    client.meta.events.register("provide-client-params.s3", hook)
                self._clients[name] = client
            return self._clients[name]

    @property
    def athena(self) -> Any:
        return self._client("athena")

    @property
    def athena_starts(self) -> Any:
        """Athena for StartQueryExecution (and GetWorkGroup just before it, workgroup.py, so the first start reuses its
        connection), in botocore's "legacy" retry mode: it retries connection errors,
        5xx and request-rate throttling (ThrottlingException) like "standard", but not TooManyRequestsException
        (HTTP 400; botocore/data/_retry.json's legacy policies against retries/standard.py's throttled codes; boto3
        guide, https://docs.aws.amazon.com/boto3/latest/guide/retries.html), Athena's refusal over the account's
        concurrent query limit. The connector's own loop then
        sees the first refusal and lowers its concurrency (athena.py, concurrency_limit.py); the other calls keep
        "standard" mode. A retried start stays idempotent: it sends the same ClientRequestToken."""
        with self._lock:
            if "athena-starts" not in self._clients:
                retries = botocore.config.Config(retries={"mode": "legacy", "total_max_attempts": API_CALL_ATTEMPTS})
                config = self._botocore_config.merge(retries)
                self._clients["athena-starts"] = self._session.create_client("athena", config=config)
            return self._clients["athena-starts"]

    @property
    def glue(self) -> Any:
        """Glue, reading the Catalog's own Glue Data Catalog (its CatalogId when it is another account's)."""
        with self._lock:
            if "glue" not in self._clients:
                catalog_id = self._glue_catalog_id()
                client = self._client("glue")
                if catalog_id is not None:
                    client.meta.events.register("provide-client-params.glue", add_catalog_id(catalog_id))
            return self._client("glue")

    def expect_bucket_owner(self, bucket: str, owner: str) -> None:
        """Send ExpectedBucketOwner on every S3 call to ``bucket`` (the workgroup's ExpectedBucketOwner: S3 then
        refuses the call if another account owns the bucket,
        https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html)."""

        def add_owner(params: dict[str, Any], model: Any, **_: Any) -> None:
            if params.get("Bucket") == bucket and "ExpectedBucketOwner" in model.input_shape.members:
                params.setdefault("ExpectedBucketOwner", owner)

        self._add_s3_hook(add_owner)

    def pay_as_requester(self) -> None:
        """Send RequestPayer=requester on every S3 call: the workgroup lets its queries read Requester Pays
        buckets (RequesterPaysEnabled), so the connector's own listings of their data accept the charges too.
        S3 refuses a Requester Pays request without it (403) and ignores it on other buckets
        (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ObjectsinRequesterPaysBuckets.html)."""

        def add_payer(params: dict[str, Any], model: Any, **_: Any) -> None:
            if "RequestPayer" in model.input_shape.members:
                params.setdefault("RequestPayer", "requester")

        self._add_s3_hook(add_payer)

    def _add_s3_hook(self, hook: Any) -> None:
        with self._lock:
            self._s3_hooks.append(hook)
            for name, client in self._clients.items():
                if name.split("@")[0] == "s3":
                    client.meta.events.register("provide-client-params.s3", hook)

    def bucket_region(self, bucket: str) -> str:
        """The bucket's Region (GetBucketLocation, once per bucket and run). GetBucketLocation answers None for
        us-east-1 and EU for eu-west-1 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
        Under the lock: a read asks it ahead (read/startup.py) while a writer may ask it too; one call answers both."""
        with self._region_lock:
            if bucket not in self._bucket_regions:
                with aws_call("s3:GetBucketLocation", what=f"s3://{bucket}"):
                    constraint = self.s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
                self._bucket_regions[bucket] = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
                    constraint, str(constraint)
                )
            return self._bucket_regions[bucket]

    def s3_for(self, bucket: str) -> Any:
        """An S3 client in the bucket's Region: a request signed for another Region is refused by S3 (400
        AuthorizationHeaderMalformed, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) and
        costs a redirect round trip. If GetBucketLocation is denied, the client of the configured Region
        (botocore then follows S3's answer to the bucket's Region itself)."""
        with self._region_lock:
            try:
                region = self.bucket_region(bucket)
            except AwsCallError as exc:
                if exc.code not in DENIED_CODES:
                    raise
                self._bucket_regions[bucket] = region = self.config.region
        return self.s3 if region == self.config.region else self._client("s3", region)

    def _glue_catalog_id(self) -> str | None:
        """GetDataCatalog for a Catalog other than AwsDataCatalog: None (own account) or the Glue CatalogId."""
        name = self.config.catalog
        if name == DEFAULT_CATALOG:
            return None
        try:
            response = self.athena.get_data_catalog(Name=name)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) == "InvalidRequestException":
                raise not_found(name, self.config.region) from None
            raise describe_error(exc, "athena:GetDataCatalog", statement=GET_DATA_CATALOG_GRANT, what=name) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise describe_error(exc, "athena:GetDataCatalog", what=name) from None
        return glue_catalog_of(name, dict(response.get("DataCatalog") or {})).catalog_id

    @property
    def s3(self) -> Any:
        return self._client("s3")

    @property
    def sts(self) -> Any:
        return self._client("sts")


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore error ('' for anything else)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or str(
            exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        )
    return ""


def _attempts(exc: botocore.exceptions.ClientError) -> str:
    """How many times the failed call was tried, as botocore recorded it (its retries plus the first try)."""
    retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
    if not isinstance(retries, int):
        return "after botocore's retries"
    return "after 1 attempt" if retries == 0 else f"after {retries + 1} attempts"


def _aws_message(exc: botocore.exceptions.ClientError) -> str:
    message = str(exc.response.get("Error", {}).get("Message", "")).strip()
    return message[:500]


def _temporary_credentials_error(action: str, code: str) -> AwsCallError:
    """Temporary keys that AWS refused: expired, or a Session Token that is not the one issued with the key."""
    problem = (
        "the temporary credentials (Access Key ID ASIA…, Secret Access Key, Session Token) have expired"
        if code in EXPIRED_CODES
        else "the Session Token is not the one issued with this Access Key ID"
    )
    return AwsCallError(
        f"{action} failed with {code}: {problem}. Paste a fresh set of all three from AWS SSO or STS; temporary keys "
        "expire (1-12 h), so for a lasting connection use an IAM user's key (setup guide, Step 3) or an IAM Role ARN, "
        "whose session the connector renews itself.",
        code=code,
    )


def kms_denied_error(action: str, kms_action: str, key: str, *, code: str = "") -> AwsCallError:
    """A call refused because KMS denied the caller the workgroup's result key."""
    return AwsCallError(
        f"{action} was denied by KMS: {kms_action} on the key {key} is not allowed. The workgroup encrypts its query "
        f"results with this key: allow {KMS_RESULT_ACTIONS} on {key} for the identity the connector signs in as "
        "(an optional statement beyond the setup guide's policy, README Permissions), and let the key policy allow "
        "it too.",
        code=code,
    )


def describe_error(exc: BaseException, action: str, *, statement: str | None = None, what: str = "") -> AwsCallError:
    """Turn a boto/botocore failure of `action` (e.g. 'glue:GetTables') into an actionable AwsCallError."""
    sid = statement or STATEMENT_FOR_ACTION.get(action, "the setup guide's Step 2 policy")
    target = f" on {what}" if what else ""
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return AwsCallError(f"{action} could not be signed: {NO_CREDENTIALS}")
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return AwsCallError(
            f"{action} could not reach AWS ({exc.__class__.__name__}): check the AWS Region and that this "
            "network can reach *.amazonaws.com (setup guide, Step 4: IP allowlisting).",
            transient=True,
        )
    if not isinstance(exc, botocore.exceptions.ClientError):
        return AwsCallError(f"{action}{target} failed: {exc.__class__.__name__}: {exc}", transient=True)
    code = error_code(exc)
    detail = _aws_message(exc)
    if code in BAD_KEY_CODES:
        return AwsCallError(
            f"{action} failed with {code}: AWS rejected the keys. Check the Access Key ID and Secret Access Key "
            "of the dedicated IAM user (setup guide, Step 3) and that the key is active; with temporary keys "
            "(ASIA…), that the Session Token is the one issued with them.",
            code=code,
        )
    if code in EXPIRED_CODES | BAD_TOKEN_CODES:
        return _temporary_credentials_error(action, code)
    kms = KMS_DENIAL.search(detail) if code in DENIED_CODES else None
    if kms is not None:
        return kms_denied_error(f"{action}{target}", kms.group(1), kms.group(2), code=code)
    if code in DENIED_CODES:
        return AwsCallError(
            f"{action}{target} was denied ({code}) — attach the {sid} statement (setup guide, Step 2) to the "
            "Skoot IAM user, with this resource in its Resource list.",
            code=code,
        )
    if code in TRANSIENT_CODES:
        return AwsCallError(
            f"{action}{target} kept failing with {code} {_attempts(exc)}: AWS is throttling or "
            f"unavailable; try again later ({detail}).",
            code=code,
            transient=True,
        )
    # A name or setting that does not exist is the user's to fix; any other answer is unexpected.
    failure_type = FailureType.config_error if code in USER_FIXABLE_CODES else FailureType.system_error
    return AwsCallError(f"{action}{target} failed with {code}: {detail}", code=code, failure_type=failure_type)


def raise_delete_errors(response: dict[str, Any], bucket: str) -> None:
    """DeleteObjects answers 200 even when keys were not deleted: raise the first per-key error like a failed call."""
    errors = response.get("Errors") or []
    if errors:
        first = errors[0]
        error = {"Code": str(first.get("Code", "")), "Message": str(first.get("Message", ""))}
        exc = botocore.exceptions.ClientError({"Error": error}, "DeleteObjects")
        raise describe_error(exc, "s3:DeleteObject", what=f"s3://{bucket}/{first.get('Key', '')}")


@contextlib.contextmanager
def aws_call(action: str, *, statement: str | None = None, what: str = "") -> Iterator[None]:
    """Run AWS calls, turning any boto failure into an AwsCallError that names `action`."""
    try:
        yield
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise describe_error(exc, action, statement=statement, what=what) from None
