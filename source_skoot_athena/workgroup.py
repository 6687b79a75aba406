"""The Athena workgroup, read once (GetWorkGroup) into a typed record that check and read both use.

The workgroup decides where results land (its result location, possibly enforced over the client's) and
which engine runs the queries (engine version 1 has no UNLOAD, so the read takes the result CSV).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import AwsClients, describe_error, error_code
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError

ENGINE_V1 = "Athena engine version 1"
PREREQUISITE = (
    "setup guide, Prerequisites: 'You have an S3 query results location configured through your Athena workgroup'"
)


@dataclass(frozen=True, kw_only=True)
class Workgroup:
    """What the connector needs from GetWorkGroup's answer."""

    name: str
    state: str
    result_location: str | None
    engine_version: str | None
    enforced: bool
    encryption: str | None = None  # SSE_S3 | SSE_KMS | CSE_KMS (EncryptionConfiguration.EncryptionOption)
    kms_key: str | None = None
    expected_bucket_owner: str | None = None  # ResultConfiguration.ExpectedBucketOwner
    requester_pays: bool = False  # RequesterPaysEnabled: its queries may read Requester Pays buckets

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> Workgroup:
        """GetWorkGroup's `WorkGroup` object -> Workgroup (absent parts are None/False, as AWS omits them)."""
        configuration = response.get("Configuration", {}) or {}
        results = configuration.get("ResultConfiguration", {}) or {}
        location = results.get("OutputLocation")
        encryption = results.get("EncryptionConfiguration", {}) or {}
        engine = (configuration.get("EngineVersion", {}) or {}).get("EffectiveEngineVersion")
        return cls(
            name=str(response.get("Name", "")),
            state=str(response.get("State", "ENABLED")),
            result_location=str(location) if location else None,
            engine_version=str(engine) if engine else None,
            enforced=bool(configuration.get("EnforceWorkGroupConfiguration", False)),
            encryption=str(encryption["EncryptionOption"]) if encryption.get("EncryptionOption") else None,
            kms_key=str(encryption["KmsKey"]) if encryption.get("KmsKey") else None,
            expected_bucket_owner=str(results["ExpectedBucketOwner"]) if results.get("ExpectedBucketOwner") else None,
            requester_pays=bool(configuration.get("RequesterPaysEnabled", False)),
        )

    @property
    def client_side_encrypted(self) -> bool:
        """CSE_KMS: Athena writes its result files as S3 Encryption Client ciphertext, which only GetQueryResults
        turns back into rows for us (https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html)."""
        return self.encryption == "CSE_KMS"

    @property
    def has_unload(self) -> bool:
        """UNLOAD exists from engine version 2 on (an unknown engine is assumed current)."""
        return self.engine_version != ENGINE_V1


def get_workgroup(clients: AwsClients, config: Config) -> Workgroup:
    """GetWorkGroup, with an unknown workgroup reported as a Workgroup field problem.

    Sent by the client that starts queries (aws.py `athena_starts`): the connection it opens to Athena (on AWS a TCP
    and TLS handshake, one round trip or more each, more across Regions) is kept alive and reused by the first
    StartQueryExecution, so a read's first query does not open one while everything waits on it (issue 17)."""
    try:
        response = clients.athena_starts.get_work_group(WorkGroup=config.workgroup)["WorkGroup"]
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "InvalidRequestException":
            raise AwsCallError(
                f"athena:GetWorkGroup: the workgroup '{config.workgroup}' does not exist in {config.region}. "
                "Fix the Workgroup field (the Athena console lists workgroups per Region) or create the workgroup "
                "(setup guide, Prerequisites).",
                code="InvalidRequestException",
            ) from None
        raise describe_error(exc, "athena:GetWorkGroup", what=f"workgroup {config.workgroup}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise describe_error(exc, "athena:GetWorkGroup") from None
    return Workgroup.from_response(dict(response))


def usable_workgroup(clients: AwsClients, config: Config, logger: logging.Logger) -> Workgroup:
    """The configured workgroup, once it is known to exist, be enabled and have a result location (check Step 1)."""
    workgroup = get_workgroup(clients, config)
    if workgroup.state != "ENABLED":
        raise AwsCallError(
            f"The Athena workgroup '{config.workgroup}' is {workgroup.state}: enable it in the Athena "
            "console (Workgroups -> Enable) or use another workgroup."
        )
    if workgroup.result_location is None:
        raise AwsCallError(
            f"The Athena workgroup '{config.workgroup}' has no S3 query result location (or uses Athena-managed "
            f"query results, which this connector cannot read): set one in the workgroup's settings ({PREREQUISITE})."
        )
    if workgroup.expected_bucket_owner and workgroup.result_location:
        bucket = workgroup.result_location.removeprefix("s3://").split("/", 1)[0]
        clients.expect_bucket_owner(bucket, workgroup.expected_bucket_owner)
    if workgroup.requester_pays:
        clients.pay_as_requester()
    encryption = f", results encrypted {workgroup.encryption}" if workgroup.encryption else ""
    logger.info(
        f"Workgroup '{config.workgroup}': ENABLED, engine {workgroup.engine_version or 'unknown'}, result location "
        f"{workgroup.result_location}{' (enforced)' if workgroup.enforced else ''}{encryption}."
    )
    return workgroup
