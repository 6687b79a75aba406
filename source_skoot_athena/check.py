"""`check`: prove the setup guide was followed, step by step, and say which step is missing if not."""

from __future__ import annotations

import logging

import botocore.exceptions

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import DENIED_CODES, GLUE_SIDS, AwsClients, aws_call, error_code, kms_denied_error
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError, QueryError
from source_skoot_athena.sql import leading_comment
from source_skoot_athena.workgroup import Workgroup, usable_workgroup

# Athena's FAILED reason when the results could not be written with the workgroup's KMS key.
KMS_WRITE_HINT = "encrypting query results with kms key"


def check_glue(clients: AwsClients, config: Config) -> None:
    """Step 3: at least one Glue database is readable (the configured ones when Scope B is set)."""
    if config.databases:
        for name in config.databases:
            with aws_call("glue:GetDatabase", what=f"database {name}"):
                try:
                    clients.glue.get_database(Name=name)
                except botocore.exceptions.ClientError as exc:
                    if error_code(exc) == "EntityNotFoundException":
                        raise AwsCallError(
                            f"glue:GetDatabase: the Glue database '{name}' listed in Glue Databases does not exist "
                            f"in {config.region}."
                        ) from None
                    if error_code(exc) in DENIED_CODES:
                        # Scope B names each database (and its tables) in the Glue statement's Resource list.
                        raise AwsCallError(
                            f"glue:GetDatabase on database {name} was denied ({error_code(exc)}): Glue Databases lists "
                            f"'{name}' but the policy does not let the Skoot user read it. Add its database/{name} and "
                            f"table/{name}/* ARNs to the {GLUE_SIDS} statement (setup guide, Step 2), or remove "
                            f"'{name}' from Glue Databases.",
                            code=error_code(exc),
                        ) from None
                    raise
        return
    with aws_call("glue:GetDatabases"):
        response = clients.glue.get_databases(MaxResults=1)
    if not response.get("DatabaseList"):
        raise AwsCallError(
            f"glue:GetDatabases returned no database in {config.region}: create one, or check that the "
            "SkootGlueMetadataAllDatabases / SkootGlueMetadataSelectedDatabases statement names them "
            "(setup guide, Step 2)."
        )


def trial_query(clients: AwsClients, config: Config, workgroup: Workgroup, logger: logging.Logger) -> None:
    """Step 2: `SELECT 1`; a write refused under the workgroup's KMS key names the KMS actions and the key."""
    runner = QueryRunner(clients.athena, config, logger)
    try:
        finished = runner.run(leading_comment(config.connection_name, "check") + "SELECT 1", purpose="trial query")
    except QueryError as exc:
        kms_key = workgroup.kms_key if workgroup.encryption in ("SSE_KMS", "CSE_KMS") else None
        if kms_key and KMS_WRITE_HINT in (exc.message or "").lower():
            raise kms_denied_error(
                f"The trial query's result write (workgroup '{workgroup.name}', {workgroup.encryption})",
                "kms:GenerateDataKey",
                kms_key,
            ) from None
        raise
    logger.info(f"Trial query {finished.query_id} succeeded in {finished.engine_ms} ms.")


def check_results_region(clients: AwsClients, config: Config, workgroup: Workgroup, logger: logging.Logger) -> None:
    """The results bucket's Region (s3:GetBucketLocation, granted by SkootAthenaResultsS3): a bucket in another
    Region than the workgroup's works (its results are read with an S3 client in its Region) and is named, since
    Athena then writes every result across Regions (transfer charges, slower reads)."""
    bucket = (workgroup.result_location or "").removeprefix("s3://").split("/", 1)[0]
    if not bucket:
        return
    region = clients.bucket_region(bucket)
    if region != config.region:
        logger.warning(
            f"The results bucket {bucket} of workgroup '{workgroup.name}' is in {region}, not in {config.region} "
            f"(the AWS Region field): results are read from {region}, and AWS charges cross-Region transfer for "
            f"every query's results. A results bucket in {config.region} avoids both."
        )


def run_check(clients: AwsClients, config: Config, logger: logging.Logger) -> None:
    """Step 1 (workgroup.usable_workgroup) -> trial query `SELECT 1` -> results bucket Region -> Glue; the first failure is raised as a user error."""
    workgroup = usable_workgroup(clients, config, logger)
    trial_query(clients, config, workgroup, logger)
    check_results_region(clients, config, workgroup, logger)
    check_glue(clients, config)
