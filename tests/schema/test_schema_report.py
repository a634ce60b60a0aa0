"""The text, JSON and GitHub report formats, and that the package stays free of Django."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from taxonomy_app.schema import (
    Issue,
    ValidationMode,
    ValidationResult,
    format_github,
    format_json,
    format_text,
    validate_qna,
)

PACKAGE = Path(__file__).resolve().parents[2] / "taxonomy_app" / "schema"
GOOD = "version: 3\ncreated_by: alice\ntask_description: t\nseed_examples:\n" + "".join(
    f"  - question: Q{i}?\n    answer: A{i}.\n" for i in range(5)
)


def results():
    bad = GOOD.replace("created_by: alice", "created_by: 100%, really").replace(
        "answer: A4.", "answer: A4.  "
    )
    return [
        validate_qna(GOOD, path="compositional_skills/a/good/qna.yaml", attribution=b"x"),
        validate_qna(
            bad + "\n\n\n", path="compositional_skills/a/bad,one/qna.yaml", attribution_present=False
        ),
    ]


def test_format_text():
    text = format_text(results())
    lines = text.splitlines()
    assert lines[0].startswith("ERROR: compositional_skills/a/bad,one/qna.yaml [R16-attribution-missing] ")
    assert (
        "ERROR: compositional_skills/a/bad,one/qna.yaml:14:16 [lint-trailing-spaces] This line ends with "
        "spaces" in text
    )
    assert "WARN: compositional_skills/a/bad,one/qna.yaml:17:1 [lint-empty-lines]" in text
    assert lines[-1] == "2 files checked: 1 valid, 1 invalid (2 errors, 1 warnings)."


def test_format_json():
    data = json.loads(format_json(results()))
    assert data[0] == {
        "path": "compositional_skills/a/good/qna.yaml",
        "valid": True,
        "errors": [],
        "warnings": [],
    }
    assert data[1]["valid"] is False
    assert data[1]["errors"][1] == {
        "line": 14,
        "column": 16,
        "rule": "lint-trailing-spaces",
        "message": "This line ends with spaces; remove them.",
    }
    assert set(data[1]["warnings"][0]) == {"line", "column", "rule", "message"}


def test_format_github_escapes_properties_and_data():
    out = format_github(results()).splitlines()
    assert out[0].startswith(
        "::error file=compositional_skills/a/bad%2Cone/qna.yaml,title=R16-attribution-missing::"
    )
    assert out[1] == (
        "::error file=compositional_skills/a/bad%2Cone/qna.yaml,line=14,col=16,"
        "title=lint-trailing-spaces::This line ends with spaces; remove them."
    )
    assert out[2].startswith("::warning file=compositional_skills/a/bad%2Cone/qna.yaml,line=17,col=1,")
    odd = ValidationResult(
        path="a:b.yaml",
        mode=ValidationMode.CI,
        errors=[Issue(rule="x", message="50% done\nnext line", line=2)],
    )
    assert format_github([odd]) == "::error file=a%3Ab.yaml,line=2,title=x::50%25 done%0Anext line\n"
    assert format_github([results()[0]]) == ""


def test_no_module_imports_django():
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] in ("django", "rest_framework", "labweb")], module


def test_importing_the_package_loads_no_django():
    code = (
        "import sys, taxonomy_app.schema as s; s.validate_qna(b'a: 1\\n', path='knowledge/a/b/qna.yaml'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parents[1], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
