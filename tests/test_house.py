"""The package's layout: small modules, one idea each, builders found without a hand-kept list."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "cnnbook"
#: No module grows past this many lines: a longer one holds more than one idea.
MAX_LINES = 400


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path):
    assert len(path.read_text(encoding="utf8").splitlines()) <= MAX_LINES


def test_nets_modules_hold_builders_only():
    """No figures, data or training in a builder module: editing those never touches a model."""
    for path in (PACKAGE / "nets").glob("*.py"):
        imported = {node.module for node in ast.walk(ast.parse(path.read_text(encoding="utf8")))
                    if isinstance(node, ast.ImportFrom) and node.module}
        forbidden = {"cnnbook.figures", "cnnbook.training", "cnnbook.runs", "cnnbook.data",
                     "matplotlib.pyplot"}
        assert not imported & forbidden, path.name


def test_every_run_is_declared_in_runs():
    """Recipes are made in cnnbook/runs.py alone (tests and pages may derive from them)."""
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("runs.py", "training.py"):
            continue
        calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf8")))
                 if isinstance(node, ast.Call)
                 and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Recipe"]
        assert not calls, f"{path.relative_to(PACKAGE)} declares a run"
