"""The nbgrader course: exported notebooks that nbgrader's own generate_assignment turns into
the stubs, and a batch's scores written through nbgrader's own Gradebook."""

import ast
import json
import subprocess
import sys

import nbformat
import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearSolutions
from traitlets.config.loader import PyFileConfigLoader

from grader import catalog, nbgrader_course, paths
from grader.cli import cli
from grader.errors import GraderError
from grader.results import GradeResult

GRADE = [sys.executable, "-m", "grader.cli"]


def code_of(notebook) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def same_code(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    nbgrader_course.export_course(course)
    return course


def test_the_export_command_writes_the_config_and_the_notebooks(tmp_path):
    shown = CliRunner().invoke(cli, ["nbgrader", "export", str(tmp_path), "--exercise", "exercise3"])
    assert shown.exit_code == 0, shown.output
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "nbgrader_config.py", "source/exercise3/exercise3.ipynb"]


def test_every_exercise_becomes_a_valid_nbgrader_source_notebook(course):
    assert (course / "nbgrader_config.py").is_file()
    for exercise in catalog.exercise_names():
        notebook = nbformat.read(course / "source" / exercise / f"{exercise}.ipynb", as_version=4)
        nbformat.validate(notebook)
        marks = [c.metadata["nbgrader"] for c in notebook.cells]
        assert all(m["schema_version"] == 3 and m["grade_id"] for m in marks)
        assert len({m["grade_id"] for m in marks}) == len(marks)  # nbgrader wants them unique
        graded = {m["grade_id"]: m["points"] for m in marks if m["grade"]}
        entry = catalog.load(exercise)
        assert graded == {t: entry.points(t) for t in entry.task_names()}
        assert any(m["solution"] for m in marks)


def test_nbgraders_clear_solutions_leaves_exactly_each_stub(course):
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    clear = ClearSolutions(config=config)
    for exercise in catalog.exercise_names():
        notebook = nbformat.read(course / "source" / exercise / f"{exercise}.ipynb", as_version=4)
        released, _ = clear.preprocess(notebook, {})
        stub = (paths.EXERCISES / f"{exercise}.py").read_text()
        assert same_code(code_of(released), stub), exercise


@pytest.mark.slow
def test_generate_assignment_releases_the_stub_and_the_source_earns_full_marks(course, tmp_path):
    run = subprocess.run(["nbgrader", "generate_assignment", "exercise3"], cwd=course,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    released = nbformat.read(course / "release" / "exercise3" / "exercise3.ipynb", as_version=4)
    assert same_code(code_of(released), (paths.EXERCISES / "exercise3.py").read_text())
    graded = subprocess.run([*GRADE, "exercise3", "--submission",
                             str(course / "source" / "exercise3" / "exercise3.ipynb"), "--json"],
                            capture_output=True, text=True, timeout=300)
    document = json.loads(graded.stdout)
    assert document["score"] == document["max_score"], document


def results(tmp_path, scores: dict[str, float]):
    """A batch's results.jsonl: each student with ``score`` on softmax, full marks elsewhere."""
    template = catalog.load("exercise3").template()
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    lines = []
    for student, softmax in scores.items():
        result = GradeResult.from_dict(template.to_dict())
        result.submission = student
        for task in result.tasks:
            task.score = softmax if task.name == "softmax" else task.max_score
        result.score = sum(t.score for t in result.tasks)
        lines.append(result.to_json())
    (out / "results.jsonl").write_text("\n".join(lines) + "\n")
    return out


def scores_in(course) -> dict[tuple[str, str], float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=nbgrader_course.COURSE_ID) as book:
        assert len(book.assignment_submissions("exercise3")) == len(book.students)
        return {(g.student.id, g.cell.name): g.score
                for s in book.assignment_submissions("exercise3") for n in s.notebooks for g in n.grades}


def test_scores_go_into_nbgraders_gradebook_and_a_second_import_updates_them(course, tmp_path):
    out = results(tmp_path, {"alice": 8.0, "bob": 2.0})
    run = subprocess.run([*GRADE, "nbgrader", "import", str(out), str(course)], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    first = scores_in(course)
    assert first[("alice", "softmax")] == 8.0 and first[("bob", "softmax")] == 2.0
    assert first[("bob", "sigmoid")] == catalog.load("exercise3").points("sigmoid")
    nbgrader_course.import_scores(results(tmp_path, {"alice": 8.0, "bob": 5.0}), course)
    second = scores_in(course)
    assert second[("bob", "softmax")] == 5.0 and len(second) == len(first)


def test_importing_nothing_says_so_in_one_sentence(tmp_path):
    with pytest.raises(GraderError, match="holds no results"):
        nbgrader_course.import_scores(tmp_path, tmp_path)


def test_without_nbgrader_the_commands_say_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    with pytest.raises(GraderError, match=r"pip install 'torch-course-grader\[nbgrader\]'"):
        nbgrader_course.import_scores(results(tmp_path, {"ann": 1.0}), tmp_path)
