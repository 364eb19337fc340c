"""The grade command through its public door, as a student or CI would use it."""

import json

import pytest
from click.testing import CliRunner

from grader import paths
from grader.cli import cli
from grader.results import CHECK_STATUSES, GRADE_STATUSES, VISIBILITIES
from helpers import with_reference, write_submission


def run(*args):
    return CliRunner().invoke(cli, list(args))


def assert_result_document(document: dict) -> None:
    """The schema the README documents, checked field by field."""
    assert set(document) >= {"exercise", "submission", "status", "score", "max_score", "tasks",
                             "duration_s", "hidden_max_score", "flags"}
    assert document["status"] in GRADE_STATUSES
    assert all(set(flag) == {"kind", "detail"} for flag in document["flags"])
    assert isinstance(document["score"], float) and isinstance(document["max_score"], float)
    assert document["score"] == sum(t["score"] for t in document["tasks"])
    for task in document["tasks"]:
        assert set(task) == {"name", "score", "max_score", "checks"}
        assert task["score"] == sum(c["score"] for c in task["checks"])
        for c in task["checks"]:
            assert set(c) == {"name", "status", "score", "max_score", "feedback", "visibility",
                              "duration_s"}
            assert c["status"] in CHECK_STATUSES and c["visibility"] in VISIBILITIES


def test_json_is_one_document_in_the_schema():
    result = run("exercise3", "--submission", str(paths.SOLUTIONS / "exercise3.py"), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_result_document(document)
    assert document["score"] == document["max_score"] == 30.0
    assert [t["name"] for t in document["tasks"]] == ["sigmoid", "softmax", "log_softmax",
                                                     "cross_entropy", "mlp_forward"]


def test_json_stays_clean_when_the_submission_prints(tmp_path):
    fake = (paths.TESTS / "hostile" / "fake_report.py").read_text()
    path = write_submission(tmp_path, "exercise3", with_reference("exercise3", fake))
    result = run("exercise3", "--submission", str(path), "--json")
    document = json.loads(result.stdout)
    assert_result_document(document)
    assert document["score"] < document["max_score"]


def test_stub_scores_zero_with_a_friendly_table(tmp_path):
    result = run("exercise3", "--submission", str(paths.EXERCISES / "exercise3.py"))
    assert result.exit_code == 0
    assert "Total: 0 / 30" in result.output
    assert "not implemented yet" in result.output
    assert "Traceback" not in result.output


def test_default_submission_is_the_course_folders_exercise(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "exercise3.py").write_text(
        (paths.SOLUTIONS / "exercise3.py").read_text())
    monkeypatch.chdir(tmp_path)
    result = run("exercise3", "--task", "softmax", "--json")
    document = json.loads(result.stdout)
    assert [t["name"] for t in document["tasks"]] == ["softmax"]
    assert document["score"] == document["max_score"]


@pytest.mark.parametrize("args, sentence", [
    (["exercize3"], "There is no exercise called 'exercize3'"),
    (["exercise3", "--submission", "/no/such/file.py"], "No submission found at /no/such/file.py"),
    (["exercise3", "--task", "softmaxx"], "exercise3 has no task called 'softmaxx'"),
])
def test_bad_usage_is_one_plain_sentence_and_exit_2(args, sentence, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert sentence in result.output
    assert "Traceback" not in result.output


def test_syntax_error_is_an_import_error_with_the_students_line(tmp_path):
    path = write_submission(tmp_path, "exercise3", "def softmax(x, dim=-1)\n    return x\n")
    result = run("exercise3", "--submission", str(path), "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["status"] == "import_error"
    assert "SyntaxError" in document["error"] and "line 1" in document["error"]
    assert "grader/" not in document["error"]


def test_import_time_exception_shows_only_student_frames(tmp_path):
    source = "import torch\n\ndef helper():\n    raise ValueError('boom')\n\nhelper()\n"
    path = write_submission(tmp_path, "exercise3", source)
    result = run("exercise3", "--submission", str(path))
    assert "import_error" in result.output
    assert "ValueError: boom" in result.output and "line 4, in helper" in result.output
    assert "worker.py" not in result.output


def test_fail_under_exits_1_below_the_threshold():
    stub = str(paths.EXERCISES / "exercise3.py")
    assert run("exercise3", "--submission", stub, "--fail-under", "50").exit_code == 1
    solution = str(paths.SOLUTIONS / "exercise3.py")
    assert run("exercise3", "--submission", solution, "--fail-under", "100").exit_code == 0


def test_list_json_names_every_exercise_and_its_tasks():
    result = run("list", "--json")
    listing = json.loads(result.stdout)
    names = [item["exercise"] for item in listing]
    assert "exercise3" in names
    item = listing[names.index("exercise3")]
    assert item["title"] == "Activations and losses from scratch"
    assert sum(t["max_score"] for t in item["tasks"]) == 30


def test_help_shows_grading_an_exercise_first():
    shown = run("--help").output
    assert shown.startswith("Usage: grade EXERCISE [OPTIONS]")
    assert shown.index("--submission PATH") < shown.index("Commands:")
    assert " exercise " not in shown.split("Commands:")[1]  # no hidden command named


def test_the_wrong_folder_gets_a_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("exercise3")
    assert result.exit_code == 2
    assert f"There is no exercise3.py in {tmp_path / 'exercises'}" in result.output
    assert "run grade in your course folder, the one that holds exercises/" in result.output


def test_fail_under_says_what_the_score_was_and_what_was_needed():
    result = run("exercise3", "--submission", str(paths.EXERCISES / "exercise3.py"),
                 "--fail-under", "50")
    assert result.exit_code == 1
    assert "the score is 0% (0 / 30), below the 50% --fail-under asks for." in result.output


def test_an_empty_file_is_told_it_defines_none_of_the_tasks(tmp_path):
    path = write_submission(tmp_path, "exercise3", "")
    shown = run("exercise3", "--submission", str(path)).output
    assert "defines none of the tasks of exercise3" in shown
    assert "your file defines no sigmoid: write def sigmoid(...)" in shown
    assert "has no attribute" not in shown


def _grandchildren(pid: int) -> list[str]:
    from pathlib import Path

    def children(p):
        try:
            return Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except FileNotFoundError:
            return []

    return [g for c in children(pid) for g in children(c)]


def test_ctrl_c_ends_a_grade_with_one_sentence(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    hang = "def sigmoid(x):\n    while True:\n        pass\n"
    path = write_submission(tmp_path, "exercise3", with_reference("exercise3", hang))
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "exercise3", "--submission",
                                str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 120
    while not _grandchildren(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)  # a worker exists: grading has begun
    time.sleep(1)  # into the checks: the first sigmoid check is hanging
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == "grade: interrupted."
    assert "internal error" not in stderr and "Traceback" not in stderr
