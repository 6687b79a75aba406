"""`check`: prove the setup guide was followed, step by step, and say which step is missing if not."""

from __future__ import annotations

import logging
from typing import Any

import botocore.exceptions

from source_skoot_athena.athena import QueryRunner
from source_skoot_athena.aws import DENIED_CODES, GLUE_SIDS, AwsClients, aws_call, describe_error, error_code
from source_skoot_athena.config import Config
from source_skoot_athena.errors import AwsCallError
from source_skoot_athena.sql import leading_comment

PREREQUISITE = (
    "setup guide, Prerequisites: 'You have an S3 query results location configured through your Athena workgroup'"
)


def result_location(workgroup: dict[str, Any]) -> str | None:
    """The workgroup's S3 result location (enforced or not); None when it has none (e.g. managed results)."""
    configuration = workgroup.get("Configuration", {}) or {}
    location = (configuration.get("ResultConfiguration", {}) or {}).get("OutputLocation")
    return str(location) if location else None


def get_workgroup(clients: AwsClients, config: Config) -> dict[str, Any]:
    """GetWorkGroup, with an unknown workgroup reported as a Workgroup field problem."""
    try:
        return dict(clients.athena.get_work_group(WorkGroup=config.workgroup)["WorkGroup"])
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


def check_workgroup(clients: AwsClients, config: Config, logger: logging.Logger) -> dict[str, Any]:
    """Step 1: the workgroup exists, is enabled and has a result location."""
    workgroup = get_workgroup(clients, config)
    if workgroup.get("State", "ENABLED") != "ENABLED":
        raise AwsCallError(
            f"The Athena workgroup '{config.workgroup}' is {workgroup.get('State')}: enable it in the Athena "
            "console (Workgroups -> Enable) or use another workgroup."
        )
    if result_location(workgroup) is None:
        raise AwsCallError(
            f"The Athena workgroup '{config.workgroup}' has no S3 query result location (or uses Athena-managed "
            f"query results, which this connector cannot read): set one in the workgroup's settings ({PREREQUISITE})."
        )
    configuration = workgroup.get("Configuration", {}) or {}
    engine = (configuration.get("EngineVersion", {}) or {}).get("EffectiveEngineVersion", "unknown")
    enforced = bool(configuration.get("EnforceWorkGroupConfiguration", False))
    logger.info(
        f"Workgroup '{config.workgroup}': ENABLED, engine {engine}, result location {result_location(workgroup)}"
        f"{' (enforced)' if enforced else ''}."
    )
    return workgroup


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


def run_check(clients: AwsClients, config: Config, logger: logging.Logger) -> None:
    """GetWorkGroup -> trial query `SELECT 1` -> Glue; the first failure is raised as a user error."""
    check_workgroup(clients, config, logger)
    runner = QueryRunner(clients, config, logger)
    finished = runner.run(leading_comment(config.connection_name, "check") + "SELECT 1", purpose="trial query")
    logger.info(f"Trial query {finished.query_id} succeeded in {finished.engine_ms} ms.")
    check_glue(clients, config)
