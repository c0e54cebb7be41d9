"""jaxnn's modules import each other without a cycle (lazy imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import jaxnn

ROOT = Path(jaxnn.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ["jaxnn", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The jaxnn modules ``path`` imports anywhere in its code (``from jaxnn import x`` names
    the submodule ``jaxnn.x`` when there is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= subs or {node.module}
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    modules = set(paths)
    graph = {}
    for name, path in paths.items():
        # A package's __init__ is not an edge of its submodules (they import it first anyway).
        graph[name] = {m for m in _imports(path, modules) if m != name and m != "jaxnn"}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle():
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_a_lazy_import_cycle():
    graph = _graph()
    assert "jaxnn.train" in graph["jaxnn.parallel"]  # the data-parallel fit builds on train
    graph["jaxnn.sharding"] = graph["jaxnn.sharding"] | {"jaxnn.parallel"}
    cycle = _cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert {"jaxnn.sharding", "jaxnn.parallel"} <= set(cycle)
