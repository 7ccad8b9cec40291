"""The simulator's import graph: no cycles, and the product leans on it only in `demo`.

Every import counts, also those under ``TYPE_CHECKING`` and inside functions:
a cycle hidden there still ties the modules together.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(src: Path, path: Path) -> set[str]:
    """Every module name `path` imports (``from pkg import mod`` names pkg.mod)."""
    here = module_name(src, path)
    base = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:
                anchor = base.rsplit(".", node.level - 1)[0]
                origin = f"{anchor}.{origin}".rstrip(".")
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


def import_graph(src: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports.

    ``from pkg import mod`` is an edge to pkg.mod only (pkg/__init__ runs first
    but is not what the module needs); ``from pkg import Name`` is an edge to pkg.
    """
    files = sorted((src / package).rglob("*.py"))
    modules = {module_name(src, p) for p in files}
    graph: dict[str, set[str]] = {}
    for path in files:
        here = module_name(src, path)
        names = imported(src, path)
        deps = {n for n in names if n in modules and n != here}
        graph[here] = {
            d for d in deps if not any(n.startswith(d + ".") and n in modules for n in names)
        }
    return graph


def assert_acyclic(graph: dict[str, set[str]]) -> None:
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle


def test_the_simulator_has_no_import_cycle() -> None:
    graph = import_graph(SRC, "github_simulator")
    assert {"github_simulator.server", "github_simulator.scenarios"} <= set(graph)
    assert_acyclic(graph)
    assert "github_simulator.scenarios" not in graph["github_simulator.server"]


def test_a_cycle_under_type_checking_is_caught(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from pkg import a\n")
    (pkg / "a.py").write_text("from pkg.b import B\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\nB = 1\n"
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    with pytest.raises(graphlib.CycleError):
        assert_acyclic(graph)


def test_only_the_demo_imports_the_simulator() -> None:
    """The action image has no simulator: no other product module may need it."""
    users = sorted(
        module_name(SRC, path)
        for path in (SRC / "agent_job_status").rglob("*.py")
        if any(n.split(".")[0] == "github_simulator" for n in imported(SRC, path))
    )
    assert users == ["agent_job_status.demo"]
