"""The setup guide's IAM policies, enforced by the stand-in: the connector works with exactly what they grant.

Every run here goes through the CLI with the IAM user's real key while the stand-in enforces IAM like AWS does
(Glue catalog/database/table ARNs, the Athena workgroup ARN, S3 bucket/object ARNs, AWS's error codes, Glue lists
filtered by permission, queries run with the caller's permissions). ``VERB_ACTIONS`` is measured, not assumed: one
test per verb and scope records every permission the verb was evaluated for, and README's "Permissions" table must
be exactly it. The policies are the in-repo copies in ``setup_guide_policies/`` (compared with the shared setup
guide when it is next to the project). "As AWS does" means as ``local_athena/iam.py`` models it: no KMS, Lake
Formation or Conditions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from moto.iam.access_control import IAMPolicyStatement, PermissionResult

from integration_tests.connector import (
    DEMO_CONFIG,
    PROJECT_ROOT,
    Run,
    configured_catalog,
    demo_read_catalog,
    discover_catalog,
    run_connector,
    stream_state,
)
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


def glue_tables(athena: LocalAthena) -> list[tuple[str, str]]:
    """Every (database, table) Glue holds now: what a Scope A discover must report (whatever other modules left)."""
    glue = athena.client("glue")
    found = []
    for page in glue.get_paginator("get_databases").paginate():
        for database in page["DatabaseList"]:
            for tables in glue.get_paginator("get_tables").paginate(DatabaseName=database["Name"]):
                found += [(database["Name"], table["Name"]) for table in tables["TableList"]]
    return sorted(found)


def scope_b_actions(verb: str, *, named_databases: bool = False) -> dict[str, set[str]]:
    """What README says of Scope B: Scope A's actions with the selected-databases statement in place of the
    all-databases one; with Glue Databases set, `check` asks GetDatabase per database instead of GetDatabases."""
    actions = {GLUE_B if sid == GLUE_A else sid: set(names) for sid, names in VERB_ACTIONS[verb].items()}
    if verb == "check" and named_databases:
        actions[GLUE_B] = {"glue:GetDatabase"}
    return actions


def rated_at(value: str | dt.datetime) -> dt.datetime:
    """A rated_at value as a datetime: a record's ISO text (`T`), a cursor's Athena text (space) or a datetime."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


@pytest.fixture(scope="module")
def discovered(local_athena: LocalAthena) -> dict[str, Any]:
    """The demo's discovered catalog (without enforcement), to configure reads."""
    local_athena.faults.clear()
    return discover_catalog(local_athena, ["entertainment"])


@pytest.fixture
def finance(iam_athena: LocalAthena, athena_sandbox: LocalAthena) -> Iterator[LocalAthena]:
    """A second Glue database the Scope B policy does not name (removed after the test)."""
    iam_athena.put_table("finance", "ledger", pa.table({"id": [1, 2], "amount": [10.5, -3.25]}))
    yield iam_athena


# --- the fixture files are the guide's policies -----------------------------------------------------------------
def test_policy_files_hold_the_statements_the_tests_name() -> None:
    """The in-repo copies (what every test here enforces) are valid policies with the guide's statement Sids."""
    sids = {
        "scope_a.json": [WORKGROUP, LIST_WORKGROUPS, RESULTS, GLUE_A, DATA],
        "scope_b.json": [WORKGROUP, LIST_WORKGROUPS, RESULTS, GLUE_B, DATA],
    }
    for name, text in (("scope_a.json", SCOPE_A), ("scope_b.json", SCOPE_B)):
        doc = json.loads(text)
        assert doc["Version"] == "2012-10-17"
        assert [s["Sid"] for s in doc["Statement"]] == sids[name], name
        assert all(s["Effect"] == "Allow" for s in doc["Statement"]), name


def test_policy_files_are_the_guides_policies_verbatim() -> None:
    """Checked against the shared setup guide when it sits next to the project (it is not part of the repo)."""
    if not GUIDE.exists():
        pytest.skip(f"{GUIDE} is not present: the policies are checked against the in-repo copies only")
    guide = GUIDE.read_text()
    for title, text in (("Scope A: All Glue databases", SCOPE_A), ("Scope B: Selected Glue databases", SCOPE_B)):
        start = guide.index("{", guide.index(title))
        assert guide[start : start + len(text.rstrip())] == text.rstrip()


# --- Scope A: every verb, exactly the guide's policy -------------------------------------------------------------
def test_scope_a_check_uses_exactly_its_measured_actions(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        check = run_connector("check", iam_athena.env(), config=config(keys))
    assert check.connection_status == {"status": "SUCCEEDED"}, texts(check)
    assert not denied()
    assert used_actions(json.loads(SCOPE_A)) == VERB_ACTIONS["check"]


def test_scope_a_discover_lists_every_table_with_exactly_its_measured_actions(iam_athena: LocalAthena) -> None:
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        discover = run_connector("discover", iam_athena.env(), config=config(keys))
    assert discover.returncode == 0 and not discover.errors, texts(discover)
    assert names(discover) == glue_tables(iam_athena)
    assert {("entertainment", t) for t in ("catalog_items", "movies", "ratings")} <= set(names(discover))
    assert not denied()
    assert used_actions(json.loads(SCOPE_A)) == VERB_ACTIONS["discover"]


def test_scope_a_read_full_and_incremental_with_exactly_its_measured_actions(
    iam_athena: LocalAthena, discovered: dict[str, Any]
) -> None:
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        read = run_connector("read", iam_athena.env(), config=config(keys), catalog=demo_read_catalog(discovered))
    assert read.returncode == 0 and not read.errors, texts(read)
    for table in ("movies", "ratings", "catalog_items"):
        assert len(read.rows(table)) == len(expected_rows(table)), table
    assert not [line for line in read.logs if "denied" in line.lower()]
    assert not denied()
    assert used_actions(json.loads(SCOPE_A)) == VERB_ACTIONS["read"]


def test_scope_a_incremental_read_from_a_saved_cursor(iam_athena: LocalAthena, discovered: dict[str, Any]) -> None:
    """From a saved cursor: exactly the rows at or past it (compared as timestamps), nothing denied."""
    source = expected_rows("ratings")
    cursor_value = sorted(r["rated_at"] for r in source)[-5]
    cursor = cursor_value.strftime("%Y-%m-%d %H:%M:%S.") + f"{cursor_value.microsecond // 1000:03d}"
    blob = {"cursor_field": "rated_at", "cursor_type": "timestamp", "cursor": cursor}
    state = [stream_state("ratings", "entertainment", blob)]
    catalog = configured_catalog(
        discovered, streams=["ratings"], sync_mode="incremental", cursor={"ratings": "rated_at"}
    )
    with iam_athena.iam.enforce(SCOPE_A) as keys:
        read = run_connector("read", iam_athena.env(), config=config(keys), catalog=catalog, state=state)
    assert read.returncode == 0 and not read.errors, texts(read)
    got = sorted(rated_at(r["rated_at"]) for r in read.rows("ratings"))
    assert got == sorted(r["rated_at"] for r in source if r["rated_at"] >= rated_at(cursor))
    assert 0 < len(got) < len(source)
    assert not denied()


def readme_permission_rows() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Permissions") : readme.index("\n## ", readme.index("## Permissions") + 1)]
    return {line.strip() for line in section.splitlines() if line.startswith("| `")}


def test_readme_permissions_table_is_the_measured_table() -> None:
    """Both ways: every measured (verb, statement, actions) row is in README, and README has no other row."""
    measured = {
        f"| `{verb}` | {sid} | {', '.join(f'`{a}`' for a in sorted(actions))} |"
        for verb, statements in VERB_ACTIONS.items()
        for sid, actions in statements.items()
    }
    assert readme_permission_rows() == measured


# --- Scope B: one named database, another one present -----------------------------------------------------------
@pytest.mark.parametrize("named_databases", [False, True], ids=["all-granted", "glue-databases-set"])
def test_scope_b_check_succeeds_with_exactly_its_measured_actions(finance: LocalAthena, named_databases: bool) -> None:
    extra = {"databases": ["entertainment"]} if named_databases else {}
    with finance.iam.enforce(SCOPE_B) as keys:
        check = run_connector("check", finance.env(), config=config(keys, **extra))
    assert check.connection_status == {"status": "SUCCEEDED"}, texts(check)
    assert used_actions(json.loads(SCOPE_B)) == scope_b_actions("check", named_databases=named_databases)


def test_scope_b_discover_lists_only_the_granted_database(finance: LocalAthena) -> None:
    """Glue's GetDatabases returns only the databases the caller may read: finance is not listed at all."""
    with finance.iam.enforce(SCOPE_B) as keys:
        discover = run_connector("discover", finance.env(), config=config(keys))
    assert discover.returncode == 0 and not discover.errors, texts(discover)
    assert names(discover) == [
        ("entertainment", "catalog_items"),
        ("entertainment", "movies"),
        ("entertainment", "ratings"),
    ]
    assert not [line for line in discover.logs if "finance" in line]
    assert ("glue:GetDatabases", "arn:aws:glue:ap-south-1:123456789012:database/finance") in denied()
    assert used_actions(json.loads(SCOPE_B)) == scope_b_actions("discover")


def test_scope_b_named_but_not_granted_database_is_skipped_by_discover(finance: LocalAthena) -> None:
    """Named in Glue Databases although the policy does not grant it: one warning naming the statement."""
    with finance.iam.enforce(SCOPE_B) as keys:
        discover = run_connector("discover", finance.env(), config=config(keys, databases=["entertainment", "finance"]))
    assert discover.returncode == 0 and not discover.errors, texts(discover)
    assert [n for n, _ in names(discover)] == ["entertainment"] * 3
    warnings = [line for line in discover.logs if "finance" in line]
    assert len(warnings) == 1 and GLUE_B in warnings[0] and "glue:GetTables" in warnings[0], warnings


def test_scope_b_named_but_not_granted_database_fails_check_naming_the_arns(finance: LocalAthena) -> None:
    with finance.iam.enforce(SCOPE_B) as keys:
        check = run_connector("check", finance.env(), config=config(keys, databases=["entertainment", "finance"]))
    status = check.connection_status
    assert status["status"] == "FAILED"
    for needle in ("glue:GetDatabase", "finance", GLUE_B, "database/finance", "table/finance/*"):
        assert needle in status["message"], (needle, status["message"])


def test_scope_b_read_with_exactly_its_measured_actions(finance: LocalAthena, discovered: dict[str, Any]) -> None:
    with finance.iam.enforce(SCOPE_B) as keys:
        read = run_connector("read", finance.env(), config=config(keys), catalog=demo_read_catalog(discovered))
    assert read.returncode == 0 and not read.errors, texts(read)
    for table in ("movies", "ratings", "catalog_items"):
        assert len(read.rows(table)) == len(expected_rows(table)), table
    assert not denied()
    assert used_actions(json.loads(SCOPE_B)) == scope_b_actions("read")


# --- one statement or one action missing: the verb that needs it says which and where ----------------------------
# (policy text, statement, actions removed (None: the whole statement), the verb to run, expected outcome)
# Outcomes: "fail" (the verb fails), "warn" (a read still delivers every row), "timeout" (check fails on its
# timeout, and the query it could not stop is left running).
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
    (SCOPE_A, WORKGROUP, {"athena:StopQueryExecution"}, "check timeout", "timeout"),
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


def _unload_files_left(athena: LocalAthena, run: Run) -> int:
    """How many objects this read's UNLOAD left under its result prefix."""
    (root,) = [log.split(" under ")[1].split(" ")[0] for log in run.logs if "Read path: UNLOAD to Parquet under" in log]
    bucket, _, prefix = root.removeprefix("s3://").partition("/")
    count: int = athena.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0)
    return count


def _assert_outcome(athena: LocalAthena, case: Case, run: Run) -> None:
    """What the user gets besides the message: the verb's result, and what is left in AWS."""
    _, _, actions, _, outcome = case
    if outcome == "fail":
        assert _failed(run), texts(run)
        return
    if outcome == "timeout":  # check fails on its own timeout; the query it could not stop keeps running
        status = run.connection_status
        assert status["status"] == "FAILED" and "Query Timeout (ms)" in status["message"], status
        assert "could not be stopped" in status["message"], status  # never "was stopped" when it was not
        assert any("Could not stop Athena query" in log for log in run.logs), run.logs
        assert [q.state for q in athena.queries if q.sql.endswith("SELECT 1")] != ["CANCELLED"]
        assert athena.calls["athena:StopQueryExecution"] == 1
        return
    assert not _failed(run), texts(run)  # a warning: every row still arrives
    assert len(run.rows("ratings")) == len(expected_rows("ratings"))
    if actions == {"s3:DeleteObject"}:
        assert _unload_files_left(athena, run) > 0, "without s3:DeleteObject the result files stay behind"
    if actions == {"s3:ListBucket"}:  # UNLOAD cannot check its target prefix: the result CSV is read instead
        assert any("Read path: result CSV for the rest of this sync" in log for log in run.logs), run.logs
        assert any(q.state == "FAILED" and "UNLOAD" in q.sql for q in athena.queries)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_missing_permission_is_named_with_its_statement(
    iam_athena: LocalAthena, discovered: dict[str, Any], case: Case
) -> None:
    text, sid, actions, verb, _ = case
    doc = policy(text, drop_sid=sid) if actions is None else policy(text, drop={sid: actions})
    needed = actions or {a for a in VERB_ACTIONS[verb.split()[0]].get(GLUE_A if sid == GLUE_B else sid, set())}
    iam_athena.reset_observations()
    with iam_athena.iam.enforce(doc) as keys:
        run = _run(iam_athena, verb, keys, discovered)
    assert any(action for action, _ in denied() if action in needed), denied()
    assert any(mentions(run, action, sid) for action in needed), (needed, sid, texts(run))
    _assert_outcome(iam_athena, case, run)


def test_readme_counts_the_removals_and_their_outcomes() -> None:
    """README's IAM line states exactly how many removals are tested and how many only warn."""
    statements = sum(1 for case in CASES if case[2] is None)
    warnings = sum(1 for case in CASES if case[4] != "fail")
    readme = " ".join((PROJECT_ROOT / "README.md").read_text().split())
    claim = (
        f"{len(CASES)} removals ({statements} whole statements, {len(CASES) - statements} single actions), "
        f"each named by the verb that needs it with the missing action and its statement's Sid: "
        f"{len(CASES) - warnings} fail that verb, {warnings} are warnings"
    )
    assert claim in readme, claim


def test_actions_no_verb_uses_are_not_needed(iam_athena: LocalAthena, discovered: dict[str, Any]) -> None:
    """Without the guide's grants that no verb uses (StopQueryExecution aside: only on timeout), all verbs work."""
    with iam_athena.iam.enforce(policy(SCOPE_A, drop=UNUSED)) as keys:
        check = run_connector("check", iam_athena.env(), config=config(keys))
        assert check.connection_status == {"status": "SUCCEEDED"}, texts(check)
        discover = run_connector("discover", iam_athena.env(), config=config(keys))
        assert discover.returncode == 0 and not discover.errors, texts(discover)
        read = run_connector("read", iam_athena.env(), config=config(keys), catalog=demo_read_catalog(discovered))
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
