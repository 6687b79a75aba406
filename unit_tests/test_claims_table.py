"""docs/claims.md names, for each README claim, the test that guards it. A renamed, split or deleted test would leave
the claim unguarded while the table still looks complete, so every backticked reference in the table is resolved
here against the test files' syntax trees (no test is imported or run)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "docs" / "claims.md"

SPAN = re.compile(r"`([^`]+)`")
FULL = re.compile(r"^(?P<path>[\w./-]+\.py)(?:::(?P<rest>.+))?$")
CONTINUATION = re.compile(r"^::(?P<rest>.+)$")
BARE_TEST = re.compile(r"^test_\w+(\[.*\])?$")
NAMES = re.compile(r"^(?P<names>\w+(?:::\w+)*)(?:\[(?P<id>.+)\])?$")


@dataclass(frozen=True)
class Reference:
    """One test named in a table cell: a file, the names inside it (function, or class then method) and a
    parameter id."""

    path: str
    names: tuple[str, ...]
    param_id: str | None


@dataclass(frozen=True)
class Row:
    section: str
    cells: tuple[str, ...]


def table_rows(markdown: str) -> list[Row]:
    """Every body row of every table, with the `##` section it is in (header and separator rows left out)."""
    rows: list[Row] = []
    section = ""
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("|") and previous.startswith("|") and not re.fullmatch(r"\|[-| :]+\|", line):
            # a body row: a table's first row is its header, with no table line before it
            rows.append(Row(section, tuple(c.strip() for c in line.strip().strip("|").split("|"))))
        previous = line
    return rows


def cell_references(cell: str) -> tuple[list[Reference], list[str]]:
    """The references in one cell, and the spans that look like a reference but cannot be resolved as one
    (a bare test name, a continuation with no full path before it)."""
    found: list[Reference] = []
    problems: list[str] = []
    last_path: str | None = None
    for span in SPAN.findall(cell):
        full, continuation = FULL.match(span), CONTINUATION.match(span)
        if full:
            last_path = full["path"]
            rest = full["rest"]
        elif continuation:
            if last_path is None:
                problems.append(f"`{span}`: a continuation with no full path before it in the cell")
                continue
            rest = continuation["rest"]
        else:
            if BARE_TEST.match(span):
                problems.append(f"`{span}`: name the file (`path.py::{span}`) so that the reference can be checked")
            continue
        if rest is None:
            found.append(Reference(last_path, (), None))
            continue
        names = NAMES.match(rest)
        if names is None:
            problems.append(f"`{span}`: not of the form name, Class::name or name[id]")
            continue
        found.append(Reference(last_path, tuple(names["names"].split("::")), names["id"]))
    return found, problems


def literal_ids(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str] | None:
    """The parametrize ids of a function when its only parametrize decorator spells them as literals (`ids=[...]`,
    `pytest.param(..., id=...)`, or plain strings of one parameter); None when pytest computes them."""
    marks = [
        d for d in function.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func).endswith("parametrize")
    ]
    if len(marks) != 1 or len(marks[0].args) < 2:
        return None
    mark = marks[0]
    ids = next((k.value for k in mark.keywords if k.arg == "ids"), None)
    values = mark.args[1]
    if isinstance(ids, ast.List | ast.Tuple):
        strings = [e.value for e in ids.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return set(strings) if len(strings) == len(ids.elts) else None
    if ids is not None or not isinstance(values, ast.List | ast.Tuple):
        return None
    found = [element_id(element) for element in values.elts]
    return None if None in found else {f for f in found if f is not None}


def element_id(element: ast.expr) -> str | None:
    """pytest's id of one literal parametrize value: a string is its own id, `pytest.param(..., id="x")` is x and
    `pytest.param("x", marks=...)` is x; None for anything pytest would compute from a non-literal."""
    if isinstance(element, ast.Constant) and isinstance(element.value, str):
        return element.value
    if not isinstance(element, ast.Call):
        return None
    given = [k.value for k in element.keywords if k.arg == "id"]
    if given:
        return given[0].value if isinstance(given[0], ast.Constant) and isinstance(given[0].value, str) else None
    if len(element.args) == 1:
        return element_id(element.args[0])
    return None


def defined(body: list[ast.stmt], name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None:
    return next(
        (n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == name),
        None,
    )


def resolve(reference: Reference) -> str | None:
    """Why the reference does not name an existing test, or None when it does."""
    path = ROOT / reference.path
    if not path.is_file():
        return f"{reference.path}: no such file"
    body = ast.parse(path.read_text()).body
    node: ast.AST | None = None
    for name in reference.names:
        node = defined(body, name)
        if node is None:
            return f"{reference.path}::{'::'.join(reference.names)}: {name} is not defined there"
        body = node.body if isinstance(node, ast.ClassDef) else []
    if reference.param_id is None or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    ids = literal_ids(node)
    if ids is not None and reference.param_id not in ids:
        return f"{reference.path}::{node.name}[{reference.param_id}]: the ids are {sorted(ids)}"
    return None


def reference_problems(markdown: str) -> list[str]:
    """Every reference of every table cell that does not name an existing test."""
    problems: list[str] = []
    for row in table_rows(markdown):
        for cell in row.cells:
            references, malformed = cell_references(cell)
            problems += malformed
            problems += [p for p in map(resolve, references) if p is not None]
    return problems


def pending_problems(markdown: str) -> list[str]:
    """Claims left unguarded: a cell that only says "Pending", a row of a Pending section that does not say why, and
    a row outside it that names no test at all."""
    problems: list[str] = []
    for row in table_rows(markdown):
        label = row.cells[0][:60]
        if "pending" in row.section.lower():
            if len(row.cells) < 2 or len(row.cells[-1].split()) < 3:
                problems.append(f"{row.section}: '{label}' is pending without saying why")
            continue
        if any(cell.rstrip(".").lower() == "pending" for cell in row.cells):
            problems.append(f"{row.section}: '{label}' has a cell that only says Pending")
        if not any(cell_references(cell)[0] for cell in row.cells[1:]):
            problems.append(f"{row.section}: '{label}' names no test")
    return problems


def test_every_test_the_claims_table_names_exists() -> None:
    assert reference_problems(CLAIMS.read_text()) == []


def test_the_claims_table_has_no_claim_pending_without_a_reason() -> None:
    assert pending_problems(CLAIMS.read_text()) == []


RENAMED = """## Values

| Claim | Guarded by |
|---|---|
| a | `unit_tests/test_sql.py::test_quote_identifier`, `::test_quote_identifier_renamed` |
| b | `unit_tests/test_gone.py::test_x` |
| c | `integration_tests/test_iam.py::test_scope_b_check_succeeds_with_exactly_its_measured_actions[no-such-id]` |
| d | `integration_tests/test_standard_suite.py::TestSkootAthenaStandardSuite::test_renamed` |
| e | `test_booleans` and `::test_times` |
"""


def test_a_renamed_test_a_missing_file_and_an_unknown_id_are_each_reported() -> None:
    problems = reference_problems(RENAMED)
    starts = [
        "unit_tests/test_sql.py::test_quote_identifier_renamed: ",
        "unit_tests/test_gone.py: no such file",
        "integration_tests/test_iam.py::test_scope_b_check_succeeds_with_exactly_its_measured_actions[no-such-id]: ",
        "integration_tests/test_standard_suite.py::TestSkootAthenaStandardSuite::test_renamed: ",
        "`test_booleans`: name the file",
        "`::test_times`: a continuation with no full path",
    ]
    assert len(problems) == len(starts), problems
    for problem, start in zip(problems, starts, strict=True):
        assert problem.startswith(start), problem
    assert "test_quote_identifier_renamed is not defined" in problems[0]
    pytest_param = "integration_tests/test_values.py::test_time_keeps_three_fraction_digits"
    assert reference_problems(f"| a |\n|---|\n| b | `{pytest_param}[csv]`, `{pytest_param}[orc]` |") == [
        f"{pytest_param}[orc]: the ids are ['api', 'csv', 'parquet']"
    ]
    assert "'all-granted', 'glue-databases-set'" in problems[2]


def test_the_valid_forms_resolve() -> None:
    valid = [
        *RENAMED.splitlines()[:4],
        "| a | `integration_tests/test_iam.py::test_scope_b_check_succeeds_with_exactly_its_measured_actions[all-granted]`"
        ", `integration_tests/test_standard_suite.py::TestSkootAthenaStandardSuite`, `integration_tests/test_image.py`"
        ", `integration_tests/test_incremental.py::test_saved_cursor_is_athenas_typed_text[any-computed-id]` |",
    ]
    assert reference_problems("\n".join(valid)) == []


def test_a_pending_claim_must_say_why_and_every_other_claim_names_a_test() -> None:
    markdown = """## Read paths

| Claim | Guarded by |
|---|---|
| guarded | `unit_tests/test_sql.py::test_quote_identifier` |
| unguarded | a sentence but no test |
| values | Pending |

## Pending

| Claim | Why |
|---|---|
| waits | needs a real AWS account |
| silent | |
"""
    assert pending_problems(markdown) == [
        "Read paths: 'unguarded' names no test",
        "Read paths: 'values' has a cell that only says Pending",
        "Read paths: 'values' names no test",
        "Pending: 'silent' is pending without saying why",
    ]
