"""graphcore's modules import one another without a cycle — counting imports inside
functions too, which only postpone a cycle to run time (issue #17)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2] / "graphcore"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.AST, package: str, modules: set[str]) -> list[str]:
    """The graphcore modules one import statement names (a name imported from a package
    counts as its submodule when it is one; else the package itself)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in modules]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
    return subs or ([target] if target in modules else [])


def import_graph() -> nx.DiGraph:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in imported(node, package, set(files)):
                if target != name:
                    graph.add_edge(name, target, line=node.lineno)
    return graph


def test_graphcore_has_no_import_cycle():
    graph = import_graph()
    assert graph.number_of_edges() > 50  # the walk saw the imports
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    where = ", ".join(f"{a} imports {b} (line {graph.edges[a, b]['line']})" for a, b in cycle)
    raise AssertionError(f"import cycle: {where}")


def test_the_walk_reads_imports_inside_functions_and_relative_ones():
    """A cycle made of such imports would be seen."""
    tree = ast.parse("def f():\n    from .b import thing\n")
    assert imported(tree.body[0].body[0], "graphcore", {"graphcore.b"}) == ["graphcore.b"]
    tree = ast.parse("from .. import engine\n")
    assert imported(tree.body[0], "graphcore.export", {"graphcore.engine"}) == ["graphcore.engine"]


DOC = ROOT.parent / "docs" / "ARCHITECTURE.md"
PARTS = re.compile(r"<!-- graphcore-parts: begin -->(.*?)<!-- graphcore-parts: end -->", re.S)
LABEL_WIDTH = 23  # the part's name, then its modules ("export/parts" for a submodule)


def parts_in(text: str, modules: set[str]) -> list[set[str]]:
    """The doc's parts, top first: each the set of graphcore modules its rows name."""
    parts = []
    for line in text.splitlines():
        label, rest = line[:LABEL_WIDTH], line[LABEL_WIDTH:]
        if not rest.strip() or "▼" in label or "│" in label:
            continue
        if label.strip() or not parts:
            parts.append(set())
        for word in re.findall(r"[A-Za-z_]\w*(?:/\w*)*", rest):
            name = "graphcore." + word.replace("/", ".").rstrip(".")
            if name in modules:
                parts[-1].add(name)
    return parts


def _part_of(module: str, where: dict[str, int]) -> int | None:
    while module not in where and "." in module.removeprefix("graphcore."):
        module = module.rpartition(".")[0]  # commands.train_cmd sits with commands/
    return where.get(module)


def test_the_parts_drawn_in_architecture_md_are_the_imports():
    graph = import_graph()
    modules = set(graph) - {"graphcore"}
    found = PARTS.search(DOC.read_text(encoding="utf-8"))
    assert found, "docs/ARCHITECTURE.md lost its graphcore-parts block"
    parts = parts_in(found.group(1), modules)
    where = {}
    for i, part in enumerate(parts):
        twice = [m for m in part if m in where]
        assert not twice, f"in two parts of the drawing: {twice}"
        where.update(dict.fromkeys(part, i))
    missing = sorted(m for m in modules if _part_of(m, where) is None)
    assert not missing, f"draw these in a part of docs/ARCHITECTURE.md: {missing}"
    up = [f"{a} imports {b} (line {graph.edges[a, b]['line']})" for a, b in graph.edges
          if a != "graphcore" and _part_of(b, where) < _part_of(a, where)]
    assert not up, "imports pointing to a part drawn above: " + "; ".join(up)


def test_the_drawing_is_read_part_by_part():
    drawing = (" the top               a ──▶ b (see c)\n"
               "                       sub/x\n"
               "   ▼\n"
               " the bottom            c · d\n")
    mods = {"graphcore." + m for m in ("a", "b", "c", "d", "sub", "sub.x")}
    assert parts_in(drawing, mods) == [{"graphcore.a", "graphcore.b", "graphcore.c", "graphcore.sub.x"},
                                       {"graphcore.c", "graphcore.d"}]
