"""nbgrader: the exercises as an nbgrader course, and a batch's scores in its gradebook.

``export_course(COURSE)`` writes ``COURSE/nbgrader_config.py`` and
``COURSE/source/<exercise>/<exercise>.ipynb``: the stub, cut into one cell per
top-level definition, with each unfinished body (``raise NotImplementedError``)
holding the reference solution between nbgrader's ``### BEGIN SOLUTION`` /
``### END SOLUTION`` markers. The config sets nbgrader's code stub to the stubs' own
``raise NotImplementedError``, so ``nbgrader generate_assignment <exercise>``
releases exactly the stub. At the end come one read-only graded cell per task
with its points: nbgrader's gradebook learns the tasks from them, and the grader's
notebook reader leaves them out (they are the instructor's cells).

``import_scores(OUT, COURSE)`` writes each student's task scores from a batch's
``OUT/results.jsonl`` into ``COURSE/gradebook.db`` through ``nbgrader.api.Gradebook``.

nbgrader is the ``[nbgrader]`` extra: a student's install does not need it.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from grader import catalog, paths
from grader.errors import GraderError
from grader.journal import RESULTS, read_lines
from grader.results import GradeResult

COURSE_ID = "torch-course"
STUB_BODY = "raise NotImplementedError"
SCHEMA_VERSION = 3
CONFIG = f'''\
# nbgrader's configuration for this course, written by `grade nbgrader export`.
c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = "{COURSE_ID}"
# The stubs' own body, so that a released notebook's code is exactly the stub's.
c.ClearSolutions.code_stub = {{"python": "{STUB_BODY}"}}
'''


class NbgraderMissing(GraderError):
    """The nbgrader commands need the [nbgrader] extra."""


def _nbformat():
    import nbformat

    return nbformat


def _nbgrader_api():
    try:
        from nbgrader import api
    except ImportError:
        raise NbgraderMissing("nbgrader is not installed; install it with "
                              "pip install 'torch-course-grader[nbgrader]' (or pip install -e "
                              "'.[nbgrader]' in the course folder).") from None
    return api


# -- export ------------------------------------------------------------------------------------

def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """Every function and method by qualified name (``LeNet.forward``)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = item
    return found


def _body_without_docstring(node: ast.FunctionDef) -> list[ast.stmt]:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _solution_lines(node: ast.FunctionDef, lines: list[str]) -> list[str]:
    body = _body_without_docstring(node)
    text = "\n".join(lines[body[0].lineno - 1:body[-1].end_lineno])
    return textwrap.dedent(text).splitlines()


def _with_solutions(stub: str, solution: str) -> str:
    """The stub's source with each ``raise NotImplementedError`` body replaced by the
    solution's body inside nbgrader's markers."""
    stub_lines, solution_lines = stub.splitlines(), solution.splitlines()
    solved = _functions(ast.parse(solution))
    replace: dict[int, list[str]] = {}
    for name, node in _functions(ast.parse(stub)).items():
        body = _body_without_docstring(node)
        if len(body) != 1 or ast.unparse(body[0]) != STUB_BODY or name not in solved:
            continue
        line = body[0].lineno - 1
        indent = stub_lines[line][:len(stub_lines[line]) - len(stub_lines[line].lstrip())]
        replace[line] = [f"{indent}### BEGIN SOLUTION",
                         *(f"{indent}{text}" if text else "" for text in
                           _solution_lines(solved[name], solution_lines)),
                         f"{indent}### END SOLUTION"]
    out = []
    for number, text in enumerate(stub_lines):
        out += replace.get(number, [text])
    return "\n".join(out) + "\n"


def _chunks(source: str) -> list[str]:
    """The module cut before each top-level definition (its decorators included)."""
    lines = source.splitlines()
    starts = [0]
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            if first > 0:
                starts.append(first)
    starts = sorted(set(starts)) + [len(lines)]
    return ["\n".join(lines[a:b]).strip("\n") for a, b in zip(starts, starts[1:])
            if "\n".join(lines[a:b]).strip()]


def _metadata(grade_id: str, *, solution: bool = False, points: float | None = None) -> dict:
    marks = {"grade": points is not None, "solution": solution, "locked": not solution,
             "grade_id": grade_id, "schema_version": SCHEMA_VERSION}
    if points is not None:
        marks["points"] = points
    return {"nbgrader": marks}


def exercise_notebook(exercise: str):
    """``exercise`` as an nbgrader source notebook (an nbformat NotebookNode)."""
    nbformat = _nbformat()
    entry = catalog.load(exercise)
    stub = (paths.EXERCISES / f"{exercise}.py").read_text(encoding="utf-8")
    solution = (paths.SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")
    cells = []
    for number, chunk in enumerate(_chunks(_with_solutions(stub, solution))):
        cell = nbformat.v4.new_code_cell(chunk)
        cell.metadata = _metadata(f"{exercise}-cell-{number}",
                                  solution="### BEGIN SOLUTION" in chunk)
        cells.append(cell)
    for task in entry.task_names():
        cell = nbformat.v4.new_code_cell(
            f"# {task}: {entry.points(task):g} points, scored by the course's grader "
            f"(`grade batch`, then `grade nbgrader import`).")
        cell.metadata = _metadata(task, points=entry.points(task))
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"}}
    return notebook


def export_course(course: Path, exercises: list[str] | None = None) -> list[Path]:
    """Write the nbgrader course into ``course``; returns the notebooks written."""
    nbformat = _nbformat()
    course = Path(course)
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    written = []
    for exercise in exercises or catalog.exercise_names():
        target = course / "source" / exercise / f"{exercise}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(exercise_notebook(exercise), target)
        written.append(target)
    return written


# -- import --------------------------------------------------------------------------------------

def _results(out: Path) -> list[GradeResult]:
    documents = read_lines(Path(out) / RESULTS)
    if not documents:
        raise GraderError(f"{Path(out) / RESULTS} holds no results; run grade batch with "
                          f"--out {out} first.")
    results = {}
    for document in documents:
        result = GradeResult.from_dict(document)
        results[result.submission] = result  # the last line of a student wins, as a re-run's does
    return list(results.values())


def _course_id(course: Path) -> str:
    from traitlets.config.loader import PyFileConfigLoader

    config = course / "nbgrader_config.py"
    if not config.is_file():
        return COURSE_ID
    loaded = PyFileConfigLoader(config.name, path=str(course)).load_config()
    return loaded.CourseDirectory.get("course_id", COURSE_ID)


def import_scores(out: Path, course: Path) -> int:
    """Every student's task scores from ``out``'s results.jsonl into ``course``'s
    gradebook.db; a second import updates, never duplicates. Returns how many students."""
    api = _nbgrader_api()
    course = Path(course)
    if not course.is_dir():
        raise GraderError(f"{course} is not a folder; give the nbgrader course folder "
                          "(the one holding nbgrader_config.py).")
    results = _results(out)
    exercises = {r.exercise for r in results}
    if len(exercises) != 1:
        raise GraderError(f"{Path(out) / RESULTS} mixes exercises ({', '.join(sorted(exercises))}).")
    (exercise,) = exercises
    entry = catalog.load(exercise)
    url = f"sqlite:///{(course / 'gradebook.db').resolve()}"
    with api.Gradebook(url, course_id=_course_id(course)) as book:
        book.update_or_create_assignment(exercise)
        book.update_or_create_notebook(exercise, exercise)
        for task in entry.task_names():
            book.update_or_create_grade_cell(task, exercise, exercise, max_score=entry.points(task),
                                             cell_type="code")
        for result in results:
            book.update_or_create_student(result.submission)
            try:
                submitted = book.find_submission(exercise, result.submission)
            except api.MissingEntry:
                submitted = book.add_submission(exercise, result.submission)
            scores = {t.name: t.score for t in result.tasks}
            for task in entry.task_names():
                try:
                    grade = book.find_grade(task, exercise, exercise, result.submission)
                except api.MissingEntry:  # a task cell added after this student's submission
                    cell = book.find_grade_cell(task, exercise, exercise)
                    notebook = book.find_submission_notebook(exercise, exercise, result.submission)
                    grade = api.Grade(cell_id=cell.id, notebook=notebook)
                    book.db.add(grade)
                grade.auto_score = scores.get(task, 0.0)
            del submitted
            book.db.commit()
    return len(results)
