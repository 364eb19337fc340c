"""The grader package's shape: modules that talk through plain data, in no import cycle."""

import ast
from pathlib import Path

from grader import paths

PACKAGE = paths.COURSE_ROOT / "grader"


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(paths.COURSE_ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imports() -> dict[str, set[str]]:
    """Every grader module and the grader modules it imports, anywhere in its body."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader"):
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                          else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("grader")}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_module_of_the_grader_imports_one_that_imports_it_back():
    graph = imports()

    def reaches(start: str, goal: str, seen: set[str]) -> list[str] | None:
        for nxt in graph[start] - seen:
            if nxt == goal:
                return [start, goal]
            path = reaches(nxt, goal, seen | {nxt})
            if path:
                return [start, *path]
        return None

    cycles = [reaches(m, m, set()) for m in graph]
    assert not [c for c in cycles if c], cycles


def test_the_test_sees_imports():  # so the test above cannot pass by finding nothing
    graph = imports()
    assert "grader.results" in graph["grader.batch"] and "grader.wire" in graph["grader.worker"]
