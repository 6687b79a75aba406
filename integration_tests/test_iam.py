"""The setup guide's IAM policies, enforced by the stand-in: the connector works with exactly what they grant.

Every run here goes through the CLI with the IAM user's real key while the stand-in enforces IAM like AWS does
(Glue catalog/database/table ARNs, the Athena workgroup ARN, S3 bucket/object ARNs, AWS's error codes, Glue lists
filtered by permission, queries run with the caller's permissions). ``VERB_ACTIONS`` is measured, not assumed: the
Scope A test records every permission each verb was evaluated for, and README's "Permissions" table must match it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from moto.iam.access_control import IAMPolicyStatement, PermissionResult

from integration_tests.connector import DEMO_CONFIG, PROJECT_ROOT, Run, configured_catalog, run_connector
from local_athena import LocalAthena, iam
from local_athena.demo_lake import expected_rows

POLICY_DIR = Path(__file__).parent / "setup_guide_policies"
GUIDE = PROJECT_ROOT.parent / "shared" / "SETUP_GUIDE.md"
SCOPE_A = (POLICY_DIR / "scope_a.json").read_text()
SCOPE_B = (POLICY_DIR / "scope_b.json").read_text()

WORKGROUP = "SkootAthenaWorkgroupQuery"
LIST_WORKGROUPS = "SkootAthenaListWorkgroups"
RESULTS = "SkootAthenaResultsS3"
GLUE_A = "SkootGlueMetadataAllDatabases"
GLUE_B = "SkootGlueMetadataSelectedDatabases"
DATA = "SkootUnderlyingDataS3"

# verb -> guide statement -> the exact IAM actions the verb is evaluated for (Scope A, measured below).
VERB_ACTIONS: dict[str, dict[str, set[str]]] = {
    "check": {
        WORKGROUP: {"athena:GetWorkGroup", "athena:StartQueryExecution", "athena:GetQueryExecution"},
        RESULTS: {"s3:GetBucketLocation", "s3:PutObject"},
        GLUE_A: {"glue:GetDatabases"},
    },
    "discover": {GLUE_A: {"glue:GetDatabases", "glue:GetTables"}},
    "read": {
        WORKGROUP: {
            "athena:GetWorkGroup",
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
        },
        RESULTS: {"s3:GetBucketLocation", "s3:ListBucket", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"},
        GLUE_A: {"glue:GetTable", "glue:GetPartitions"},
        DATA: {"s3:ListBucket", "s3:GetObject"},
    },
}
# Granted by the guide, used by no verb (proved by test_actions_no_verb_uses_are_not_needed).
UNUSED = {LIST_WORKGROUPS: {"athena:ListWorkGroups"}, DATA: {"s3:GetBucketLocation"}}


# --- helpers ------------------------------------------------------------------------------------------------------
def policy(text: str, *, drop_sid: str | None = None, drop: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """The guide's policy with one statement removed, or some actions removed from their statements."""
    doc = json.loads(text)
    statements = []
    for statement in doc["Statement"]:
        if statement["Sid"] == drop_sid:
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        removed = (drop or {}).get(statement["Sid"], set())
        kept = [a for a in actions if a not in removed]
        if kept:
            statements.append({**statement, "Action": kept})
    doc["Statement"] = statements
    return doc


def granting_sids(doc: dict[str, Any], action: str, resource: str) -> list[str]:
    """The statements of ``doc`` that allow ``action`` on ``resource`` (moto's own statement matching)."""
    return [
        s["Sid"]
        for s in doc["Statement"]
        if IAMPolicyStatement(s).is_action_permitted(action, resource) == PermissionResult.PERMITTED
    ]


def used_actions(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Statement -> actions that were allowed for the last run, from the stand-in's recorded decisions."""
    used: dict[str, set[str]] = {}
    for action, resource, allowed in iam.decisions():
        if allowed:
            for sid in granting_sids(doc, action, resource):
                used.setdefault(sid, set()).add(action)
    return used


def denied() -> set[tuple[str, str]]:
    return {(action, resource) for action, resource, allowed in iam.decisions() if not allowed}


def config(keys: iam.Keys, **extra: Any) -> dict[str, Any]:
    return {**DEMO_CONFIG, "access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key, **extra}


def texts(run: Run) -> list[str]:
    """Every user-facing text of a run: connection status message, error traces, log lines."""
    out = [str(run.connection_status.get("message", ""))] if run.of_type("CONNECTION_STATUS") else []
    return out + [str(e.get("message", "")) for e in run.errors] + run.logs


def names(run: Run) -> list[tuple[str, str]]:
    (message,) = run.of_type("CATALOG")
    return sorted((s["namespace"], s["name"]) for s in message["catalog"]["streams"])


def mentions(run: Run, *needles: str) -> bool:
    return any(all(n in text for n in needles) for text in texts(run))


@pytest.fixture(scope="module")
def discovered(local_athena: LocalAthena) -> dict[str, Any]:
    """The demo's discovered catalog (without enforcement), to configure reads."""
    run = run_connector("discover", local_athena.env(), config=DEMO_CONFIG)
    assert run.returncode == 0, run.stderr
    (message,) = run.of_type("CATALOG")
    catalog: dict[str, Any] = message["catalog"]
    catalog["streams"] = [s for s in catalog["streams"] if s["namespace"] == "entertainment"]
    return catalog


def demo_catalog(discovered: dict[str, Any]) -> dict[str, Any]:
    """movies and catalog_items full refresh, ratings incremental on rated_at."""
    full = configured_catalog(discovered, streams=["movies", "catalog_items"])
    incremental = configured_catalog(
        discovered, streams=["ratings"], sync_mode="incremental", cursor={"ratings": "rated_at"}
    )
    return {"streams": full["streams"] + incremental["streams"]}


@pytest.fixture
def finance(iam_athena: LocalAthena, athena_sandbox: LocalAthena) -> Iterator[LocalAthena]:
    """A second Glue database the Scope B policy does not name (removed after the test)."""
    iam_athena.put_table("finance", "ledger", pa.table({"id": [1, 2], "amount": [10.5, -3.25]}))
    yield iam_athena


# --- the fixture files are the guide's policies -----------------------------------------------------------------
@pytest.mark.skipif(not GUIDE.exists(), reason="the shared setup guide is not next to the project")
def test_policy_files_are_the_guides_policies_verbatim() -> None:
    guide = GUIDE.read_text()
    for title, text in (("Scope A: All Glue databases", SCOPE_A), ("Scope B: Selected Glue databases", SCOPE_B)):
        start = guide.index("{", guide.index(title))
        assert guide[start : start + len(text.rstrip())] == text.rstrip()
        json.loads(text)


# --- Scope A: every verb, exactly the guide's policy -------------------------------------------------------------
def test_scope_a_check_discover_full_and_incremental_read(iam_athena: LocalAthena, discovered: dict[str, Any]) -> None:
    doc = json.loads(SCOPE_A)
    measured: dict[str, dict[str, set[str]]] = {}
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        check = run_connector("check", iam_athena.env(), config=config(keys))
        assert check.connection_status == {"status": "SUCCEEDED"}, texts(check)
        measured["check"] = used_actions(doc)
        assert not denied()

        iam.clear_decisions()
        discover = run_connector("discover", iam_athena.env(), config=config(keys))
        assert discover.returncode == 0 and not discover.errors, texts(discover)
        assert names(discover) == [
            ("entertainment", "catalog_items"),
            ("entertainment", "movies"),
            ("entertainment", "ratings"),
        ]
        measured["discover"] = used_actions(doc)
        assert not denied()

        iam.clear_decisions()
        catalog = demo_catalog(discovered)
        first = run_connector("read", iam_athena.env(), config=config(keys), catalog=catalog)
        assert first.returncode == 0 and not first.errors, texts(first)
        for table in ("movies", "ratings", "catalog_items"):
            assert len(first.rows(table)) == len(expected_rows(table)), table
        assert not [line for line in first.logs if "denied" in line.lower()]
        measured["read"] = used_actions(doc)
        assert not denied()

        ratings_state = [s for s in first.states if s["stream"]["stream_descriptor"]["name"] == "ratings"][-1]
        cursor = ratings_state["stream"]["stream_state"]["cursor"]
        second = run_connector("read", iam_athena.env(), config=config(keys), catalog=catalog, state=[ratings_state])
        assert second.returncode == 0 and not second.errors, texts(second)
        again = second.rows("ratings")
        assert 0 < len(again) < 10 and all(r["rated_at"] >= cursor[:19] for r in again)
        assert not denied()
    assert measured == VERB_ACTIONS


def test_readme_permissions_section_is_the_measured_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Permissions") :]
    for verb, statements in VERB_ACTIONS.items():
        for sid, actions in statements.items():
            row = f"| `{verb}` | {sid} | {', '.join(f'`{a}`' for a in sorted(actions))} |"
            assert row in section, row


# --- Scope B: one named database, another one present -----------------------------------------------------------
def test_scope_b_lists_and_reads_only_the_named_database(finance: LocalAthena, discovered: dict[str, Any]) -> None:
    with finance.iam.enforce(SCOPE_B) as keys:
        for extra in ({}, {"databases": ["entertainment"]}):
            check = run_connector("check", finance.env(), config=config(keys, **extra))
            assert check.connection_status == {"status": "SUCCEEDED"}, (extra, texts(check))

        # Glue's GetDatabases returns only the databases the caller may read: finance is not listed at all.
        discover = run_connector("discover", finance.env(), config=config(keys))
        assert discover.returncode == 0 and not discover.errors, texts(discover)
        assert names(discover) == [
            ("entertainment", "catalog_items"),
            ("entertainment", "movies"),
            ("entertainment", "ratings"),
        ]
        assert not [line for line in discover.logs if "finance" in line]
        assert ("glue:GetDatabases", "arn:aws:glue:ap-south-1:123456789012:database/finance") in denied()

        # Named in the config although the policy does not grant it: skipped with one warning naming the statement.
        iam.clear_decisions()
        named = config(keys, databases=["entertainment", "finance"])
        discover = run_connector("discover", finance.env(), config=named)
        assert discover.returncode == 0 and not discover.errors, texts(discover)
        assert [n for n, _ in names(discover)] == ["entertainment"] * 3
        warnings = [line for line in discover.logs if "finance" in line]
        assert len(warnings) == 1 and GLUE_B in warnings[0] and "glue:GetTables" in warnings[0], warnings
        check = run_connector("check", finance.env(), config=named)
        assert check.connection_status["status"] == "FAILED"
        assert all(n in check.connection_status["message"] for n in ("glue:GetDatabase", "finance", GLUE_B))

        read = run_connector("read", finance.env(), config=config(keys), catalog=demo_catalog(discovered))
        assert read.returncode == 0 and not read.errors, texts(read)
        for table in ("movies", "ratings", "catalog_items"):
            assert len(read.rows(table)) == len(expected_rows(table)), table


# --- one statement or one action missing: the verb that needs it says which and where ----------------------------
# (policy text, statement, actions removed (None: the whole statement), the verb to run, expected outcome)
Case = tuple[str, str, set[str] | None, str, str]
CASES: list[Case] = [
    (SCOPE_A, WORKGROUP, None, "check", "fail"),
    (SCOPE_A, RESULTS, None, "check", "fail"),
    (SCOPE_A, GLUE_A, None, "check", "fail"),
    (SCOPE_B, GLUE_B, None, "check", "fail"),
    (SCOPE_A, DATA, None, "read ratings", "fail"),
    (SCOPE_A, WORKGROUP, {"athena:GetWorkGroup"}, "check", "fail"),
    (SCOPE_A, WORKGROUP, {"athena:StartQueryExecution"}, "check", "fail"),
    (SCOPE_A, WORKGROUP, {"athena:GetQueryExecution"}, "check", "fail"),
    (SCOPE_A, WORKGROUP, {"athena:GetQueryResults"}, "read ratings", "fail"),
    (SCOPE_A, WORKGROUP, {"athena:StopQueryExecution"}, "check timeout", "warn"),
    (SCOPE_A, RESULTS, {"s3:GetBucketLocation"}, "check", "fail"),
    (SCOPE_A, RESULTS, {"s3:PutObject"}, "check", "fail"),
    (SCOPE_A, RESULTS, {"s3:GetObject"}, "read ratings", "fail"),
    (SCOPE_A, RESULTS, {"s3:ListBucket"}, "read ratings", "warn"),
    (SCOPE_A, RESULTS, {"s3:DeleteObject"}, "read ratings", "warn"),
    (SCOPE_A, GLUE_A, {"glue:GetDatabases"}, "check", "fail"),
    (SCOPE_A, GLUE_A, {"glue:GetDatabase"}, "check databases", "fail"),
    (SCOPE_A, GLUE_A, {"glue:GetTables"}, "discover", "fail"),
    (SCOPE_A, GLUE_A, {"glue:GetTable"}, "read ratings", "fail"),
    (SCOPE_A, GLUE_A, {"glue:GetPartitions"}, "read movies", "fail"),
    (SCOPE_A, DATA, {"s3:ListBucket"}, "read ratings", "fail"),
    (SCOPE_A, DATA, {"s3:GetObject"}, "read ratings", "fail"),
]


def _case_id(case: Case) -> str:
    _, sid, actions, verb, _ = case
    return f"{sid}-{'+'.join(sorted(actions)) if actions else 'statement'}-{verb.replace(' ', '_')}"


def _run(athena: LocalAthena, verb: str, keys: iam.Keys, discovered: dict[str, Any]) -> Run:
    env = athena.env()
    if verb.startswith("check"):
        extra: dict[str, Any] = {}
        if verb == "check databases":
            extra["databases"] = ["entertainment"]
        if verb == "check timeout":
            athena.faults.delay_query("SELECT 1", 3)
            extra["query_timeout_ms"] = 1000
        return run_connector("check", env, config=config(keys, **extra))
    if verb == "discover":
        return run_connector("discover", env, config=config(keys))
    table = verb.split()[1]
    if table == "ratings":
        catalog = configured_catalog(
            discovered, streams=["ratings"], sync_mode="incremental", cursor={"ratings": "rated_at"}
        )
    else:
        catalog = configured_catalog(discovered, streams=[table])
    return run_connector("read", env, config=config(keys), catalog=catalog)


def _failed(run: Run) -> bool:
    if run.of_type("CONNECTION_STATUS"):
        return bool(run.connection_status["status"] == "FAILED")
    return run.returncode != 0 or bool(run.errors)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_missing_permission_is_named_with_its_statement(
    iam_athena: LocalAthena, discovered: dict[str, Any], case: Case
) -> None:
    text, sid, actions, verb, outcome = case
    doc = policy(text, drop_sid=sid) if actions is None else policy(text, drop={sid: actions})
    needed = actions or {a for a in VERB_ACTIONS[verb.split()[0]].get(GLUE_A if sid == GLUE_B else sid, set())}
    with iam_athena.iam.enforce(doc) as keys:
        run = _run(iam_athena, verb, keys, discovered)
    assert any(action for action, _ in denied() if action in needed), denied()
    assert any(mentions(run, action, sid) for action in needed), (needed, sid, texts(run))
    if outcome == "fail":
        assert _failed(run), texts(run)
    elif verb.startswith("read"):  # a warning: the rows still arrive
        assert not _failed(run), texts(run)
        assert len(run.rows("ratings")) == len(expected_rows("ratings"))


def test_actions_no_verb_uses_are_not_needed(iam_athena: LocalAthena, discovered: dict[str, Any]) -> None:
    """Without the guide's grants that no verb uses (StopQueryExecution aside: only on timeout), all verbs work."""
    with iam_athena.iam.enforce(policy(SCOPE_A, drop=UNUSED)) as keys:
        check = run_connector("check", iam_athena.env(), config=config(keys))
        assert check.connection_status == {"status": "SUCCEEDED"}, texts(check)
        discover = run_connector("discover", iam_athena.env(), config=config(keys))
        assert discover.returncode == 0 and not discover.errors, texts(discover)
        read = run_connector("read", iam_athena.env(), config=config(keys), catalog=demo_catalog(discovered))
        assert read.returncode == 0 and not read.errors, texts(read)
        assert len(read.rows("movies")) == len(expected_rows("movies"))
    assert not denied()


# --- keys AWS rejects ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret_access_key": "not-the-secret"}, "InvalidSignatureException"),
        ({"access_key_id": "AKIAIOSFODNN7UNKNOWN"}, "UnrecognizedClientException"),
    ],
    ids=["wrong-secret", "unknown-key"],
)
def test_rejected_keys(iam_athena: LocalAthena, change: dict[str, str], code: str) -> None:
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        run = run_connector("check", iam_athena.env(), config={**config(keys), **change})
    status = run.connection_status
    assert status["status"] == "FAILED"
    assert "AWS rejected the keys" in status["message"] and code in status["message"], status
    assert "not-the-secret" not in run.stdout
