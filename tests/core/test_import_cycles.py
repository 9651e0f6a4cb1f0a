"""graphcore's modules import one another without a cycle — counting imports inside
functions too, which only postpone a cycle to run time (issue #17)."""
from __future__ import annotations

import ast
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
