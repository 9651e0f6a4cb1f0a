"""House rules for the code itself (issue #17): no module in graphcore/ or gui/ over 500
lines and no function over 60, so a newcomer can read any part in one sitting. An entry in
ALLOWED is an exception with its reason; an entry that no longer needs it fails too, so the
list only shrinks."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

# "path" for a module, "path:function" for a function → why it may be longer.
ALLOWED: dict[str, str] = {}


def _sources():
    for package in ("graphcore", "gui"):
        yield from sorted((ROOT / package).rglob("*.py"))


def oversized() -> dict[str, int]:
    """Every module over MAX_MODULE_LINES and every function over MAX_FUNCTION_LINES, with
    its length ("path" or "path:qualified.name" → lines)."""
    found = {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if (n := len(text.splitlines())) > MAX_MODULE_LINES:
            found[rel] = n
        found.update(_long_functions(ast.parse(text), rel))
    return found


def _long_functions(tree: ast.AST, rel: str, prefix: str = "") -> dict[str, int]:
    found = {}
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = prefix + node.name
            if not isinstance(node, ast.ClassDef):
                if (n := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                    found[f"{rel}:{name}"] = n
            found.update(_long_functions(node, rel, name + "."))
    return found


def test_no_module_over_500_lines_and_no_function_over_60():
    over = {k: n for k, n in oversized().items() if k not in ALLOWED}
    assert not over, "split these (or add them to ALLOWED with a reason): " + ", ".join(
        f"{k} ({n} lines)" for k, n in sorted(over.items()))


def test_every_exception_is_still_needed_and_has_a_reason():
    found = oversized()
    stale = [k for k in ALLOWED if k not in found]
    assert not stale, f"no longer over the limit, remove from ALLOWED: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


@pytest.mark.parametrize("source, expected", [
    ("def f():\n" + "    x = 1\n" * 61, {"m.py:f": 62}),
    ("class C:\n    def g(self):\n" + "        pass\n" * 60, {"m.py:C.g": 61}),
    ("def f():\n" + "    x = 1\n" * 59, {}),
])
def test_the_rule_counts_nested_functions_by_their_lines(source, expected):
    assert _long_functions(ast.parse(source), "m.py") == expected
