"""Gradescope: the results format against a schema written from its specification, and the
autograder bundle run as Gradescope runs it (setup.sh in a fresh virtual environment,
run_autograder with AUTOGRADER_ROOT standing in for /autograder)."""

import json
import os
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
from click.testing import CliRunner

from grader import catalog, gradescope, paths, secret
from grader.cli import cli
from grader.results import CheckResult, GradeResult, TaskResult

EXERCISE = "exercise3"
SCHEMA = json.loads((Path(__file__).parent / "data" / "gradescope_results.schema.json").read_text())
HOSTILE = Path(__file__).parent / "hostile" / "writes_gradescope_results.py"


def valid(document: dict) -> dict:
    jsonschema.validate(document, SCHEMA)
    return document


def template() -> GradeResult:
    return catalog.load(EXERCISE).template()


def every_check(result: GradeResult) -> list[str]:
    return [f"{t.name}: {c.name}" for t in result.tasks for c in t.checks]


# -- the document ------------------------------------------------------------------------

def test_a_not_graded_submission_still_lists_every_check():
    shape = template()
    for status in ("missing", "import_error"):
        result = GradeResult.empty(shape, "ann", status, "SyntaxError: invalid syntax (line 3)")
        document = valid(gradescope.results_document(result, shape))
        assert [t["name"] for t in document["tests"]] == every_check(shape)
        assert {(t["score"], t["status"]) for t in document["tests"]} == {(0.0, "failed")}
        assert "SyntaxError: invalid syntax (line 3)" in document["output"]


def test_the_document_holds_only_keys_of_gradescopes_specification():
    document = valid(gradescope.results_document(template(), template()))
    assert set(document) == {"score", "execution_time", "output", "stdout_visibility", "tests"}
    assert document["stdout_visibility"] == "hidden"
    assert "max_score" not in document


def test_hidden_checks_show_after_publishing_unless_told_otherwise():
    checks = [CheckResult("rows sum to one", "passed", 1.0, 1.0),
              CheckResult("rows sum to one", "failed", 0.0, 2.0, "row 0 sums to 2", "hidden")]
    result = GradeResult(EXERCISE, "ann", "graded", 1.0, 3.0, [TaskResult("softmax", 1.0, 3.0, checks)])
    tests = valid(gradescope.results_document(result, result))["tests"]
    assert [t["visibility"] for t in tests] == ["visible", "after_published"]
    assert len({t["name"] for t in tests}) == 2  # two checks of one name stay two tests
    assert tests[1]["output"] == "[failed] row 0 sums to 2"
    shown = gradescope.results_document(result, result, hidden_visibility="after_due_date")
    assert [t["visibility"] for t in shown["tests"]] == ["visible", "after_due_date"]


def test_the_bundle_has_its_two_scripts_at_the_root_and_no_answers_but_its_own(tmp_path):
    bundle = gradescope.build_bundle(EXERCISE, tmp_path / "autograder.zip")
    with zipfile.ZipFile(bundle) as zipped:
        names = zipped.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zipped.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    checks = [n for n in names if n.startswith("grader/checks/")]
    assert sorted(checks) == ["grader/checks/__init__.py", f"grader/checks/{EXERCISE}.py"]
    assert not any(n.startswith(("tests/", "exercises/", "solutions/")) for n in names)
    assert "grader/batch.py" not in names and not any("__pycache__" in n for n in names)
    with zipfile.ZipFile(gradescope.build_bundle("exercise5", tmp_path / "five.zip")) as zipped:
        assert "solutions/exercise5.py" in zipped.namelist()  # its checks compare with it


def test_the_bundle_carries_the_course_secret_so_hidden_inputs_are_the_courses(tmp_path):
    with zipfile.ZipFile(gradescope.build_bundle(EXERCISE, tmp_path / "autograder.zip")) as zipped:
        shipped = zipped.read(".course-secret/secret").decode().strip()
    assert bytes.fromhex(shipped) == secret.course_secret()


# -- the bundle, run as Gradescope runs it ---------------------------------------------------

def test_the_command_builds_the_bundle_with_the_visibility_asked_for(tmp_path):
    shown = CliRunner().invoke(cli, ["gradescope", EXERCISE, "--out", str(tmp_path / "ag.zip"),
                                     "--hidden-visibility", "after_due_date"])
    assert shown.exit_code == 0, shown.output
    with zipfile.ZipFile(tmp_path / "ag.zip") as zipped:
        config = json.loads(zipped.read(gradescope.CONFIG))
    assert config == {"exercise": EXERCISE, "hidden_visibility": "after_due_date"}
    refused = CliRunner().invoke(cli, ["gradescope", "exercise99", "--out", str(tmp_path / "x.zip")])
    assert refused.exit_code == 2 and not (tmp_path / "x.zip").exists()


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The bundle unzipped as /autograder/source, set up in a fresh virtual environment that
    sees what is installed here (so nothing is downloaded) and installs into itself."""
    base = tmp_path_factory.mktemp("gradescope")
    source = base / "source"
    with zipfile.ZipFile(gradescope.build_bundle(EXERCISE, base / "autograder.zip")) as zipped:
        zipped.extractall(source)
    for script in ("setup.sh", "run_autograder"):
        (source / script).chmod(0o755)  # Gradescope's unzip keeps the modes; extractall does not
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "installed_here.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
           "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True,
                           text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return source, env


def run_autograder(autograder, tmp_path: Path, files: dict[str, str]) -> dict:
    source, env = autograder
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").symlink_to(source)
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    run = subprocess.run([str(source / "run_autograder")], env={**env, "AUTOGRADER_ROOT": str(root)},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return valid(json.loads((root / "results" / "results.json").read_text()))


def solution() -> str:
    return (paths.SOLUTIONS / f"{EXERCISE}.py").read_text()


@pytest.mark.slow
def test_setup_installs_into_the_active_environment(autograder):
    source, env = autograder
    shown = subprocess.run(["python3", "-m", "pip", "show", "torch"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr  # what requirements.txt asks for resolves here


@pytest.mark.slow
def test_a_solution_under_any_name_earns_every_point(autograder, tmp_path):
    document = run_autograder(autograder, tmp_path, {"my_work.py": solution()})
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) == 30
    assert [t["name"] for t in document["tests"]] == every_check(template())
    assert "Graded file: my_work.py" in document["output"]


@pytest.mark.slow
def test_a_stub_earns_nothing_and_says_why(autograder, tmp_path):
    stub = (paths.EXERCISES / f"{EXERCISE}.py").read_text()
    document = run_autograder(autograder, tmp_path, {f"{EXERCISE}.py": stub})
    assert document["score"] == 0 and len(document["tests"]) == len(every_check(template()))
    assert all(t["status"] == "failed" and t["output"] for t in document["tests"])


@pytest.mark.slow
def test_a_notebook_is_graded_as_its_code_cells(autograder, tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Exercise 3"),
                                               nbformat.v4.new_code_cell(solution())])
    document = run_autograder(autograder, tmp_path, {"Exercise 3.ipynb": nbformat.writes(notebook)})
    assert document["score"] == 30


@pytest.mark.slow
def test_a_submission_cannot_write_its_own_results(autograder, tmp_path):
    document = run_autograder(autograder, tmp_path, {f"{EXERCISE}.py": solution() + HOSTILE.read_text()})
    time.sleep(4)  # the child it left behind would have written by now
    results = tmp_path / "autograder" / "results" / "results.json"
    assert json.loads(results.read_text()) == document and document["output"] != "forged"
    cross_entropy = [t for t in document["tests"] if t["name"].startswith("cross_entropy")]
    assert document["score"] == 30 - sum(t["max_score"] for t in cross_entropy) > 0


@pytest.mark.slow
def test_an_empty_submission_folder_lists_every_check_at_zero(autograder, tmp_path):
    document = run_autograder(autograder, tmp_path, {})
    assert document["score"] == 0 and len(document["tests"]) == len(every_check(template()))
    assert "missing" in document["output"]
