"""gui uses graphcore only through the names docs/ARCHITECTURE.md lists (issue #17 item 8).

Every ``import`` in gui/ — at the top of a module or inside a function — is read with ast:
``from graphcore.m import name``, ``from graphcore import m`` (then ``m.name``), ``import
graphcore.m as m``. The graphcore module must be in the list between the markers in
ARCHITECTURE.md, each name gui takes from it must be listed under it, no name may start
with "_", and every listed module must still be used (the list stays honest)."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
BLOCK = re.compile(r"<!-- gui-uses-graphcore: begin -->(.*?)<!-- gui-uses-graphcore: end -->", re.S)


def listed() -> dict[str, set[str]]:
    """module → names, from the doc's block of lines ``graphcore.m: a, b, c``."""
    found = BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert found, "docs/ARCHITECTURE.md lost its gui-uses-graphcore block"
    out = {}
    for line in found.group(1).splitlines():
        module, sep, names = line.strip().partition(":")
        if sep and module.startswith("graphcore"):
            out.setdefault(module, set()).update(n.strip() for n in names.split(",") if n.strip())
    return out


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def used_in(tree) -> list[tuple[str, str, int]]:
    """(graphcore module, name, line) for every graphcore name this module imports or reads."""
    uses, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "graphcore":
            for a in node.names:
                if _is_module(f"{node.module}.{a.name}"):  # from graphcore import fileformat
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                    uses.append((f"{node.module}.{a.name}", "", node.lineno))
                else:
                    uses.append((node.module, a.name, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "graphcore":
                    uses.append((a.name, "", node.lineno))
                    if a.asname:
                        aliases[a.asname] = a.name
    for node in ast.walk(tree):  # m.name, for a graphcore module imported whole
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            uses.append((aliases[node.value.id], node.attr, node.lineno))
    return uses


def gui_uses() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted((ROOT / "gui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        out += [(f"{path.relative_to(ROOT)}:{line}", module, name) for module, name, line in used_in(tree)]
    return out


def test_gui_imports_only_listed_graphcore_names():
    allowed = listed()
    wrong = []
    for where, module, name in gui_uses():
        if module not in allowed:
            wrong.append(f"{where}: gui imports {module}, which docs/ARCHITECTURE.md does not list")
        elif any(part.startswith("_") for part in module.split(".") + [name]):
            wrong.append(f"{where}: gui uses the private {module}.{name}")
        elif name and name not in allowed[module] and "*" not in allowed[module]:
            wrong.append(f"{where}: gui uses {module}.{name}, not listed under {module} in docs/ARCHITECTURE.md")
    assert not wrong, "\n".join(wrong)


def test_the_list_names_only_what_gui_uses():
    used = {module for _, module, _ in gui_uses()}
    stale = sorted(set(listed()) - used)
    assert not stale, f"docs/ARCHITECTURE.md lists graphcore modules gui no longer imports: {stale}"


def test_the_scanner_sees_imports_inside_functions_and_private_names():
    tree = ast.parse("def f():\n    from graphcore.graph import _x\n    from graphcore import optim\n"
                     "    return optim.OPTIMIZERS\n")
    assert sorted(used_in(tree)) == [("graphcore.graph", "_x", 2), ("graphcore.optim", "", 3),
                                     ("graphcore.optim", "OPTIMIZERS", 4)]
