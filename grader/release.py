"""``grade release OUT``: the student kit, made from the instructor's course tree.

``OUT/student/`` is complete on its own: a README, a pyproject, the stubs of
``exercises/`` and the grader package with the public checks only. What stays
behind: ``solutions/``, ``tests/`` (mutants, hostile submissions), the course
secret, ``.git``, and every hidden check - its code, name, docstring and
whatever only it used (a helper, a table of expected values), found from the
module's syntax tree and cut from its text (with the comment above each), so
what stays reads as the instructor wrote it.
Expected values public checks take from the reference solution are recorded
by grading each reference solution once and shipped as data (grader/expected.py).
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from grader import catalog, expected, paths
from grader.errors import GraderError

KIT_NAME = "student"
# Kept in every check module even when nothing in it refers to them: the catalog reads them.
MODULE_NAMES = {"EXERCISE", "HIDDEN_POINTS", "__all__"}
# Instructor-only dependencies a student does not need (nbgrader pulls in a Jupyter server).
INSTRUCTOR_ONLY = {"nbgrader"}


class ReleaseError(GraderError):
    """The kit cannot be written; the message says why, in one sentence."""


# -- check modules without their hidden checks ----------------------------------------

def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) else []
    names = set()
    for target in targets:
        parts = target.elts if isinstance(target, ast.Tuple) else [target]
        if not all(isinstance(part, ast.Name) for part in parts):
            return set()  # an assignment into something (a dict entry) is not a definition
        names |= {part.id for part in parts}
    return names


def _used_names(nodes: list[ast.stmt]) -> set[str]:
    return {n.id for tree in nodes for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _kept_nodes(tree: ast.Module, hidden: set[str]) -> list[ast.stmt]:
    """The module's top-level statements less the hidden checks and, after them, every
    definition nothing else refers to any more."""
    body = [node for node in tree.body
            if not (isinstance(node, ast.FunctionDef) and node.name in hidden)]
    public_checks = {node.name for node in body if isinstance(node, ast.FunctionDef)
                     and node.name.startswith("test_")}
    while True:  # removing one helper can leave another unused
        unused = [node for i, node in enumerate(body)
                  if (names := _defined_names(node))
                  and not names & (MODULE_NAMES | public_checks)
                  and not names & _used_names(body[:i] + body[i + 1:])]
        if not unused:
            return body
        body = [node for node in body if node not in unused]


def _first_line(node: ast.stmt, lines: list[str]) -> int:
    """Index of a statement's first line, its decorators and the comment right above it
    included (a comment above a hidden check or helper is about it)."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def strip_hidden(source: str, hidden: set[str], held_back: dict[str, float]) -> str:
    """The check module ``source`` without the functions named in ``hidden`` and without every
    top-level definition that, after that, nothing refers to; ``HIDDEN_POINTS`` records the
    points left out, per task. What stays keeps its text, comments and layout: students read
    their checks."""
    tree = ast.parse(source)
    kept = _kept_nodes(tree, hidden)
    lines = source.splitlines(keepends=True)
    dropped = set()
    for node in tree.body:
        if node not in kept:
            dropped.update(range(_first_line(node, lines), node.end_lineno))
    exercise = next(node for node in kept if "EXERCISE" in _defined_names(node))
    points = f"HIDDEN_POINTS = {dict(sorted(held_back.items()))!r}\n"
    text = ("# Written by `grade release`: the public checks of this exercise. Your instructor's\n"
            "# grading also runs hidden checks, worth the points in HIDDEN_POINTS.\n")
    for number, line in enumerate(lines):
        if number not in dropped:
            text += line
        if number == exercise.end_lineno - 1:
            text += points
    text = re.sub(r"\n{4,}", "\n\n\n", text)  # where a definition went, two blank lines stay
    ast.parse(text)  # what we cut must still be a module
    return text.rstrip("\n") + "\n"


def kit_check_module(exercise: str) -> str:
    entry = catalog.load(exercise)
    hidden = {c.function_name for c in entry.checks if c.info.hidden}
    held_back = {t.name: entry.hidden_points(t.name) for t in entry.exercise.tasks
                 if entry.hidden_points(t.name)}
    return strip_hidden((paths.CHECKS / f"{exercise}.py").read_text(), hidden, held_back)


# -- expected values, recorded from the reference solutions ---------------------------

def _record_expected(exercises: list[str]) -> dict[str, dict]:
    """Grade each reference solution on its public checks, recording what they asked for."""
    from grader import engine

    needing = [e for e in exercises if "from_reference(" in (paths.CHECKS / f"{e}.py").read_text()]

    def grade_all():
        for exercise in needing:
            result = engine.grade(exercise, paths.SOLUTIONS / f"{exercise}.py", public=True,
                                  label="solution")
            if result.score != result.max_score:
                raise ReleaseError(f"the reference solution of {exercise} earns {result.score:g} / "
                                   f"{result.max_score:g} on its public checks, so the values "
                                   "they expect cannot be recorded; run `grade check` first.")

    return expected.record(grade_all)


# -- the kit's own files ----------------------------------------------------------------

def _course_project() -> dict:
    """The course's own [project] table: its version and dependencies are the kit's."""
    text = (paths.COURSE_ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10: read the three fields this needs from our own file
        project = text.split("[project]", 1)[1].split("\n[", 1)[0]
        listed = re.search(r"^dependencies = \[(.*?)\]", project, re.S | re.M).group(1)
        return {"version": re.search(r'^version = "(.+)"', project, re.M).group(1),
                "requires-python": re.search(r'^requires-python = "(.+)"', project, re.M).group(1),
                "dependencies": re.findall(r'"([^"]+)"', listed)}
    return tomllib.loads(text)["project"]


def _pyproject() -> str:
    project = _course_project()
    dependencies = [d for d in project["dependencies"]
                    if not any(d.startswith(name) for name in INSTRUCTOR_ONLY)]
    listed = "".join(f'    "{d}",\n' for d in dependencies)
    return f'''[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "torch-course-kit"
version = "{project["version"]}"
description = "PyTorch course exercises and the grader's public checks"
readme = "README.md"
requires-python = "{project.get("requires-python", ">=3.10")}"
dependencies = [
{listed}]

[project.scripts]
grade = "grader.cli:main"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
"grader.checks" = ["expected/*.pt"]
'''


def _readme(listing: list[catalog.ExerciseEntry]) -> str:
    rows = "".join(f"| {e.exercise.name} | {e.exercise.title} | {e.max_score - e.hidden_points():g} "
                   f"| {e.hidden_points():g} |\n" for e in listing)
    return f"""# PyTorch course exercises

Install the kit once, in a virtual environment, from this folder:

```bash
python3 -m venv .venv && . .venv/bin/activate && pip install .
```

Then fill in the functions of `exercises/exercise3.py` (every one has a
docstring with the shapes in and out and a hint) and grade your work:

```bash
grade exercise3                  # grades exercises/exercise3.py in this folder
grade exercise3 --task softmax   # just one task
grade exercise3 --json           # one JSON document, for tools
grade list                       # every exercise, its tasks and points
```

Run `grade` in this folder (the one holding `exercises/`), or pass
`--submission path/to/exercise3.py`.

## Public and hidden checks

The checks here are the public ones: they tell you whether each task does
its main job on ordinary inputs. Your instructor's grading runs them too,
and adds hidden checks that test the same functions on inputs and edge
cases you have not seen (a batch of one, huge values, other shapes). So
passing every public check is a good sign, not the final score: the report
always says how many points it did not run.

| exercise | topic | public points | hidden points |
|---|---|---|---|
{rows}
Your code runs in a sandbox, apart from the checks: printing a fake report
or changing torch's functions changes nothing.
"""


def _copy_grader(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(paths.CHECKS.parent, target, ignore=ignore)
    shutil.rmtree(target / "checks")
    (target / "checks").mkdir()
    (target / "checks" / "__init__.py").write_text("")


def build(out: Path) -> Path:
    """Write ``out/student/``, the kit students receive; returns its path."""
    out = Path(out)
    kit = out / KIT_NAME
    if not paths.SOLUTIONS.is_dir():
        raise ReleaseError("grade release needs the instructor's course tree (with solutions/); "
                           "this grader has none, so it is a student kit already.")
    if kit.exists():
        raise ReleaseError(f"{kit} already exists; remove it or give another folder.")
    exercises = catalog.exercise_names()
    values = _record_expected(exercises)
    try:
        kit.mkdir(parents=True)
        _copy_grader(kit / "grader")
        for exercise in exercises:
            (kit / "grader" / "checks" / f"{exercise}.py").write_text(kit_check_module(exercise))
        expected.write(values, kit / "grader" / "checks" / "expected")
        (kit / "exercises").mkdir()
        for stub in sorted(paths.EXERCISES.iterdir()):
            if stub.suffix in (".py", ".ipynb") and stub.stem in exercises:
                shutil.copy2(stub, kit / "exercises" / stub.name)
        (kit / "pyproject.toml").write_text(_pyproject())
        (kit / "README.md").write_text(_readme(catalog.all_exercises()))
    except OSError as problem:
        raise ReleaseError(f"could not write the kit to {kit}: {problem.strerror or problem}.") from None
    return kit
