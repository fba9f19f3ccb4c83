"""The extraction code's layout rules (docs/architecture.md): no import cycle (counting imports
inside functions), no `_private` name imported from another module, no module over ~600 lines.
Checked with `ast` over kg/extract/ and the modules it stands on (nlp, gazetteer, records)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

KG = ROOT / "kg"
AREA = ("kg.extract", "kg.nlp", "kg.gazetteer", "kg.records")
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """Every module of the kg package by dotted name (a package by its __init__)."""
    out = {}
    for path in sorted(KG.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, str]]:
    """(module imported, name imported from it or "") for every import in the file, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.startswith("kg")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg") and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.append((sub, "") if sub in modules else (node.module, alias.name))
    return out


def _in_area(module: str) -> bool:
    return any(module == area or module.startswith(area + ".") for area in AREA)


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: sorted({target for target, _ in _imports(path, modules) if target in modules and target != name})
             for name, path in modules.items()}
    assert len([m for m in graph if _in_area(m)]) > 20
    # Tarjan's strongly connected components: a component of more than one module is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not [c for c in cycles if any(_in_area(m) for m in c)]


def test_no_private_names_imported_across_modules() -> None:
    modules = _modules()
    odd = [(name, target, imported) for name, path in modules.items() if _in_area(name)
           for target, imported in _imports(path, modules) if imported.startswith("_")]
    assert not odd


def test_no_module_over_600_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()
             if _in_area(name)}
    assert sizes
    assert not {name: n for name, n in sizes.items() if n > MAX_LINES}
