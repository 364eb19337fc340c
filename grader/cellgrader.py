"""The grader's half of ``grader.check``: grades a kernel's cells in a process of its own.

The student's kernel (grader.jupyter) writes the cells it ran to a file and
starts this module in a fresh, isolated Python (``python -I``), so the checks
and the expected values are never loaded into the kernel, and the cells run
only in sandboxed workers, exactly as under ``grade``. It prints one result
document per line on stdout; bad usage is one sentence on stderr and exit 2.

    python -I -c BOOT GRADER_ROOT SOURCE (--exercise NAME... | --all) [--task NAME]

(``-I`` leaves the kernel's PYTHONPATH and working folder off the path, so a
``torch.py`` or ``grader/`` beside the notebook cannot stand in for the real ones;
grader.jupyter names the grader's own folder instead.)
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

LABEL = "the cells this kernel ran"


def defined_names(source: str) -> set[str]:
    """The names a module's top level defines (functions, classes, assignments, imports)."""
    names = set()
    try:
        body = ast.parse(source).body
    except SyntaxError:  # grading it will say where; here it simply defines nothing
        return names
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def exercises_with_code(source: str) -> list[str]:
    """The exercises at least one of whose tasks the source defines."""
    from grader import catalog

    defined = defined_names(source)
    return [name for name in catalog.exercise_names()
            if any(t.name in defined for t in catalog.load(name).exercise.tasks)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.cellgrader")
    parser.add_argument("source", type=Path)
    parser.add_argument("--exercise", action="append", default=[])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--task")
    options = parser.parse_args(argv)

    from grader import engine
    from grader.errors import GraderError

    exercises = options.exercise
    if options.all:
        exercises = exercises_with_code(options.source.read_text(encoding="utf-8"))
        if not exercises:
            print("None of the cells this kernel has run defines an exercise's task yet.",
                  file=sys.stderr)
            sys.exit(2)
    for exercise in exercises:
        try:
            result = engine.grade(exercise, options.source, task=options.task, label=LABEL)
        except GraderError as problem:
            print(problem, file=sys.stderr)
            sys.exit(problem.exit_code)
        print(result.to_json(), flush=True)


if __name__ == "__main__":
    main()
