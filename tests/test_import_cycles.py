"""The package imports in layers: no import cycles, and the bottom layer
(errors, utils, stores) never reaches up into ``dacapo.experiments``.

The graph is read from the source with ``ast``: an edge ``a -> b`` means that
importing ``a`` runs ``b``. Only imports executed at import time count (module
and class bodies, ``try`` and ``if`` blocks); imports inside functions and under
``if TYPE_CHECKING:`` create no import-time cycle and are left out. Importing
``x.y.z`` also runs the packages ``x.y`` and ``x``, so those are edges of the
module graph too, except the importer's own ancestors, which are already being
imported.

Two levels are checked: modules (a strongly connected component of more than
one module is a cycle, printed as one loop through it) and packages (every
module collapsed into the package it lives in, except the modules of the
``HUBS``, which each stand alone).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest

import dacapo

ROOT = dacapo.__name__
#: packages whose own modules belong to different layers (``dacapo.errors`` at
#: the bottom, ``dacapo.train`` on top; ``experiments.model`` below the tasks that
#: build models, ``experiments.run`` above everything), as their public paths
#: require: each of their modules stands alone in the package graph. Their
#: subpackages are layers.
HUBS = (ROOT, f"{ROOT}.experiments")
#: the bottom layer: none of these may reach dacapo.experiments at import time
BELOW_EXPERIMENTS = ("dacapo.errors", "dacapo.store", "dacapo.utils")

Graph = Dict[str, Set[str]]


def _modules() -> Dict[str, Path]:
    """Every module of the package -> its source file."""
    found = {ROOT: Path(dacapo.__file__)}
    for info in pkgutil.walk_packages(dacapo.__path__, prefix=f"{ROOT}."):
        spec = info.module_finder.find_spec(info.name, None)
        found[info.name] = Path(spec.origin)
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_nodes(body: List[ast.stmt]) -> Iterator[ast.stmt]:
    """The import statements of ``body`` that run when the module is imported."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _import_time_nodes(node.body)
            yield from _import_time_nodes(node.orelse)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _import_time_nodes(getattr(node, field, []))


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of what ``from ... import`` names in ``module``."""
    if not node.level:
        return node.module or ""
    package = module if _is_package(module) else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _targets(module: str, node: ast.stmt) -> Iterator[str]:
    """The modules of this package that ``node`` imports (most specific)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _absolute(module, node)
        names = [f"{base}.{alias.name}" for alias in node.names] + [base]
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _ancestors(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def imports(module: str) -> Set[str]:
    """The modules that ``module`` names in its import-time imports."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in _import_time_nodes(tree.body):
        found.update(_targets(module, node))
    return found - {module}


def module_graph() -> Graph:
    """Module -> what importing it runs first: its imports, and their packages
    (but not its own ancestors, which are already being imported)."""
    graph = {}
    for module in MODULES:
        own = set(_ancestors(module))
        graph[module] = {
            name for target in IMPORTS[module] for name in (target, *_ancestors(target))
        } - own - {module}
    return graph


def unit(module: str) -> str:
    """The package ``module`` is collapsed into (a module of a hub stands alone)."""
    package = module.rpartition(".")[0]
    if _is_package(module) or package in HUBS:
        return module
    return package


def package_graph() -> Graph:
    """Package -> the packages its modules import (a package's ``__init__`` is
    part of it; that a subpackage runs its parent's ``__init__`` is not an
    edge here, since the module graph sees any cycle that this makes)."""
    packages: Graph = {}
    for module, targets in IMPORTS.items():
        packages.setdefault(unit(module), set()).update(
            unit(t) for t in targets if unit(t) != unit(module)
        )
    return packages


def cycles(graph: Graph) -> List[List[str]]:
    """Strongly connected components of more than one node (Tarjan), sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def path(graph: Graph, start: str, goal, avoid=()) -> List[str]:
    """A shortest import chain from ``start`` to a node where ``goal(node)`` holds."""
    previous = {start: None}
    queue = [start]
    for node in queue:
        if goal(node) and node != start:
            chain = [node]
            while previous[chain[-1]] is not None:
                chain.append(previous[chain[-1]])
            return chain[::-1]
        for target in sorted(graph.get(node, ())):
            if target not in previous and target not in avoid:
                previous[target] = node
                queue.append(target)
    return []


def _describe(graph: Graph, component: List[str]) -> str:
    """One loop through ``component``, as ``a -> b -> ... -> a``."""
    members = set(component)
    inner = {node: graph.get(node, set()) & members for node in members}
    start = component[0]
    back = path(inner, min(inner[start]), lambda node: node == start)
    return " -> ".join([start] + back) + f"   (component: {', '.join(component)})"


IMPORTS = {module: imports(module) for module in MODULES}
GRAPH = module_graph()


def test_only_imports_run_at_import_time_count():
    tree = ast.parse(
        "import a\n"
        "if TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        "def f():\n    import d\n"
        "class K:\n    import e\n    def g(self):\n        import h\n"
        "try:\n    import i\nexcept ImportError:\n    import j\n"
    )
    names = [alias.name for node in _import_time_nodes(tree.body) for alias in node.names]
    assert names == ["a", "c", "e", "i", "j"]


def test_a_planted_cycle_is_found_and_printed():
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": set(), "e": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert _describe(graph, ["a", "b", "c"]).startswith("a -> b -> c -> a ")
    assert path(graph, "e", lambda node: node == "d") == ["e", "a", "b", "d"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports(module):
    importlib.import_module(module)


def test_no_import_cycle_between_modules():
    found = cycles(GRAPH)
    assert not found, "import cycles between modules:\n" + "\n".join(
        _describe(GRAPH, c) for c in found
    )


def test_no_import_cycle_between_packages():
    packages = package_graph()
    found = cycles(packages)
    assert not found, "import cycles between packages:\n" + "\n".join(
        _describe(packages, c) for c in found
    )


@pytest.mark.parametrize("layer", BELOW_EXPERIMENTS)
def test_lower_layers_never_reach_experiments(layer):
    def inside(module, prefix):
        return module == prefix or module.startswith(prefix + ".")

    for module in sorted(m for m in GRAPH if inside(m, layer)):
        chain = path(GRAPH, module, lambda m: inside(m, "dacapo.experiments"))
        assert not chain, f"{layer} imports dacapo.experiments: {' -> '.join(chain)}"
