"""The project's import graph has no loops, and `portal` serves the apps without importing them.

Built from the source with `ast`, so every import counts: at module level and inside
functions alike (an import moved into a function hides a loop from Python, not from here).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every app of the project (a folder with an apps.py), so a new app is checked from its first
# commit without anyone remembering to list it here.
PACKAGES = tuple(sorted(path.parent.name for path in ROOT.glob("*/apps.py")))
# What portal, the project's plumbing, may not import: apps register what it needs.
APPS = set(PACKAGES) - {"portal"}


def test_every_app_is_checked():
    assert {"portal", "reporting", "quizzes"} <= set(PACKAGES)


def _modules():
    """{dotted name: (path, is a package)} for every module of the project's packages."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            modules[name] = (path, is_package)
    return modules


def _imports(name, path, is_package, modules):
    """The project modules `name` imports, each the most precise one that exists."""

    def known(dotted):
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                found.add(
                    known(f"{base}.{alias.name}")
                    if f"{base}.{alias.name}" in modules
                    else known(base)
                )
    found.discard(None)
    found.discard(name)
    return found


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return {name: _imports(name, *where, modules) for name, where in modules.items()}


def _cycles(edges):
    """The strongly connected components of more than one node (Tarjan, iteratively)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_another_in_a_loop(graph):
    assert _cycles(graph) == []


def test_no_app_imports_another_in_a_loop(graph):
    apps = {}
    for name, targets in graph.items():
        for target in targets:
            if name.split(".")[0] != target.split(".")[0]:
                apps.setdefault(name.split(".")[0], set()).add(target.split(".")[0])
    assert _cycles(apps) == []


def test_portal_imports_no_app(graph):
    reached = {
        (name, target)
        for name, targets in graph.items()
        if name.split(".")[0] == "portal"
        for target in targets
        if target.split(".")[0] in APPS
    }
    assert reached == set()


def test_the_checker_finds_a_loop():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
