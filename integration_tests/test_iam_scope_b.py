"""README "Permissions", Scope B measured: under the guide's exact Scope B policy, the actions each verb uses are
README's table with SkootGlueMetadataSelectedDatabases in place of SkootGlueMetadataAllDatabases, and with Glue
Databases set, `check` uses glue:GetDatabase instead of glue:GetDatabases and `discover` only glue:GetTables.

The expected sets are parsed from README's table itself, so a change of either README or the connector shows here.
The stand-in enforces IAM as in test_iam.py (its model's limits are local_athena/README.md's "Permissive").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from moto.iam.access_control import IAMPolicyStatement, PermissionResult

from integration_tests.claim_runs import discover
from integration_tests.connector import DEMO_CONFIG, PROJECT_ROOT, configured_catalog, run_connector
from local_athena import LocalAthena, iam
from local_athena.demo_lake import expected_rows

SCOPE_B = (Path(__file__).parent / "setup_guide_policies" / "scope_b.json").read_text()
GLUE_A, GLUE_B = "SkootGlueMetadataAllDatabases", "SkootGlueMetadataSelectedDatabases"
ROW = re.compile(r"^\| `(?P<verb>\w+)` \| (?P<sid>\w+) \| (?P<actions>.+) \|$")

Measured = dict[str, dict[str, set[str]]]


def readme_table() -> Measured:
    """README's Permissions table: verb -> statement -> actions."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Permissions") : readme.index("## Running it")]
    table: Measured = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            actions = set(re.findall(r"`([\w:]+)`", match["actions"]))
            table.setdefault(match["verb"], {})[match["sid"]] = actions
    assert set(table) == {"check", "discover", "read"}, table
    return table


def scope_b_expected(with_databases: bool) -> Measured:
    """README's statement for Scope B: the same actions under GLUE_B; with Glue Databases set, check's
    glue:GetDatabases becomes glue:GetDatabase and discover lists no databases (glue:GetTables only)."""
    expected = {
        verb: {(GLUE_B if sid == GLUE_A else sid): set(actions) for sid, actions in statements.items()}
        for verb, statements in readme_table().items()
    }
    if with_databases:
        expected["check"][GLUE_B] = {"glue:GetDatabase"}
        expected["discover"][GLUE_B] = {"glue:GetTables"}
    return expected


def used_actions(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Statement -> actions allowed during the last run, from the stand-in's recorded IAM decisions."""
    used: dict[str, set[str]] = {}
    for action, resource, allowed in iam.decisions():
        if not allowed:
            continue
        for statement in doc["Statement"]:
            if IAMPolicyStatement(statement).is_action_permitted(action, resource) == PermissionResult.PERMITTED:
                used.setdefault(statement["Sid"], set()).add(action)
    return used


def denied() -> list[tuple[str, str]]:
    return [(action, resource) for action, resource, allowed in iam.decisions() if not allowed]


@pytest.fixture(scope="module")
def demo_catalog(local_athena: LocalAthena) -> dict[str, Any]:
    """movies and catalog_items in full refresh, ratings incremental on rated_at (as test_iam's Scope A)."""
    discovered = discover(local_athena, "entertainment")
    full = configured_catalog(discovered, streams=["movies", "catalog_items"])
    incremental = configured_catalog(
        discovered, streams=["ratings"], sync_mode="incremental", cursor={"ratings": "rated_at"}
    )
    return {"streams": full["streams"] + incremental["streams"]}


def measure(athena: LocalAthena, catalog: dict[str, Any], extra: dict[str, Any]) -> Measured:
    """check, discover and read under Scope B; each must succeed with no denial; the actions each used."""
    doc = json.loads(SCOPE_B)
    measured: Measured = {}
    with athena.iam.enforce(SCOPE_B) as keys:
        config = {
            **DEMO_CONFIG,
            **extra,
            "access_key_id": keys.access_key_id,
            "secret_access_key": keys.secret_access_key,
        }
        check = run_connector("check", athena.env(), config=config)
        assert check.connection_status == {"status": "SUCCEEDED"}, check.connection_status
        measured["check"] = used_actions(doc)
        assert not denied(), denied()

        iam.clear_decisions()
        found = run_connector("discover", athena.env(), config=config)
        assert found.returncode == 0 and not found.errors, found.errors
        (message,) = found.of_type("CATALOG")
        assert {(s["namespace"], s["name"]) for s in message["catalog"]["streams"]} >= {
            ("entertainment", t) for t in ("movies", "ratings", "catalog_items")
        }
        measured["discover"] = used_actions(doc)

        iam.clear_decisions()
        read = run_connector("read", athena.env(), config=config, catalog=catalog)
        assert read.returncode == 0 and not read.errors, read.errors
        for table in ("movies", "ratings", "catalog_items"):
            assert len(read.rows(table)) == len(expected_rows(table)), table
        measured["read"] = used_actions(doc)
        assert not denied(), denied()
    return measured


def test_scope_b_without_glue_databases_uses_readmes_actions(
    iam_athena: LocalAthena, demo_catalog: dict[str, Any]
) -> None:
    assert measure(iam_athena, demo_catalog, {}) == scope_b_expected(with_databases=False)


def test_scope_b_with_glue_databases_gets_each_database_and_lists_only_tables(
    iam_athena: LocalAthena, demo_catalog: dict[str, Any]
) -> None:
    assert measure(iam_athena, demo_catalog, {"databases": ["entertainment"]}) == scope_b_expected(with_databases=True)
