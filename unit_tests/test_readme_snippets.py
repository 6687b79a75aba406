"""The README's PyAirbyte snippet makes only the calls that `integration_tests/pyairbyte_client.py` makes, with the
demo's config: that client runs in PyAirbyte's own venv in `test_pyairbyte.py`, so the snippet's calls are tested
there against the same demo."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from integration_tests.connector import DEMO_CONFIG
from source_skoot_athena.config import REQUIRED

ROOT = Path(__file__).resolve().parents[1]


def python_snippet(section: str) -> str:
    text = (ROOT / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", body, flags=re.S)
    return code


def calls(tree: ast.AST) -> dict[str, set[str]]:
    """Method name -> the keyword arguments it is called with, for every `x.method(...)` call."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.setdefault(node.func.attr, set()).update(k.arg for k in node.keywords if k.arg)
    return found


def test_the_pyairbyte_snippet_makes_only_the_tested_clients_calls() -> None:
    snippet = ast.parse(python_snippet("Use it from Python"))
    client = ast.parse((ROOT / "integration_tests" / "pyairbyte_client.py").read_text())
    tested = calls(client)
    for method, keywords in calls(snippet).items():
        assert method in tested, f"the snippet calls {method}(), which pyairbyte_client.py does not"
        assert keywords <= tested[method], f"{method}() keywords {keywords - tested[method]} are not tested"


def test_the_pyairbyte_snippet_uses_the_demo_config() -> None:
    snippet = ast.parse(python_snippet("Use it from Python"))
    (config,) = [
        node.value
        for node in ast.walk(snippet)
        if isinstance(node, ast.keyword) and node.arg == "config" and isinstance(node.value, ast.Dict)
    ]
    values = ast.literal_eval(config)
    assert set(REQUIRED) <= set(values), "every required field is in the snippet"
    assert all(DEMO_CONFIG[key] == value for key, value in values.items())
