"""Size rules for the GitHub simulator: module <= 400 lines, class <= 200, function <= 50."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "github_simulator"
LIMITS = {"module": 400, "class": 200, "function": 50}


def oversized(root: Path) -> set[str]:
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if len(source.splitlines()) > LIMITS["module"]:
            found.add(f"module {name}")
        for node in ast.walk(ast.parse(source)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assert node.end_lineno is not None
            if node.end_lineno - node.lineno + 1 > LIMITS[kind]:
                found.add(f"{kind} {name}:{node.name}")
    return found


def test_simulator_modules_classes_and_functions_stay_small() -> None:
    assert oversized(PACKAGE) == set()


def test_an_oversized_function_is_caught(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(50))
    (tmp_path / "big.py").write_text(f"def f() -> None:\n{body}\n")
    assert oversized(tmp_path) == {"function big.py:f"}
