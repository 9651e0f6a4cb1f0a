"""The test modules share helpers only through helper modules, imported one way.

A test module imported by another runs twice under two names (pytest collects it, the import
loads it again) and ties two test files together; a `_name` imported across modules is private
by its own spelling; a folder-relative import (`from graphs import ...`) works only because
pytest happened to put that folder on sys.path. The suite runs as `python3 -m pytest` from the
repo root, so `from tests.<folder>.<module> import ...` always works, in subprocesses too when
they are given the root on PYTHONPATH.
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
HELPER_MODULES = {p.stem for p in TESTS.rglob("*.py")
                  if not p.name.startswith("test_") and p.name not in ("conftest.py", "__init__.py")}


def _from_import_problems(node: ast.ImportFrom) -> list[str]:
    parts = node.module.split(".")
    names = [a.name for a in node.names]
    found = []
    if parts[-1].startswith("test_") or (parts[0] == "tests" and any(n.startswith("test_") for n in names)):
        found.append(f"imports from a test module: from {node.module} import {', '.join(names)}")
    if parts[0] == "tests" and any(n.startswith("_") for n in names):
        found.append(f"imports a private name from {node.module}: {[n for n in names if n.startswith('_')]}")
    if len(parts) == 1 and parts[0] in HELPER_MODULES:
        found.append(f"folder-relative import of {node.module}: use from tests.<folder>.{node.module} import ...")
    return found


def problems_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"line {node.lineno}: {p}" for p in _from_import_problems(node)]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append(f"line {node.lineno}: relative import: use from tests.<folder>.<module> import ...")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[-1].startswith("test_") or (len(parts) == 1 and parts[0] in HELPER_MODULES):
                    found.append(f"line {node.lineno}: import {alias.name}")
    return found


def test_tests_import_shared_helpers_only_from_helper_modules_by_package_path():
    problems = [f"{path.relative_to(TESTS.parent)} {p}" for path in sorted(TESTS.rglob("*.py"))
                for p in problems_in(path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_the_check_sees_each_kind_of_bad_import():
    found = "\n".join(problems_in("from tests.perf.test_step_structure import scalar_mlp\n"
                                   "from tests.perf.fastpath_helpers import _hidden\n"
                                   "from group_graphs import xor_grouped\n"
                                   "from .step_graphs import scalar_mlp\n"
                                   "import test_boundary\n"))
    for words in ("line 1: imports from a test module", "line 2: imports a private name",
                  "line 3: folder-relative", "line 4: relative import", "line 5: import test_boundary"):
        assert words in found
