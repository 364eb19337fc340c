"""Hidden checks: declared per check, a quarter or more of every exercise's points, run only by
the instructor's grading, and never passed off as "all passed" by a public run."""

import json

import pytest
from click.testing import CliRunner

from grader import catalog, engine, paths
from grader.cli import cli
from helpers import with_reference, write_submission


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("entry", catalog.all_exercises(), ids=lambda e: e.exercise.name)
def test_every_exercise_holds_back_a_quarter_of_its_points(entry):
    assert entry.hidden_points() >= entry.max_score / 4
    assert entry.hidden_points() < entry.max_score
    for task in entry.task_names():  # every task has public checks a student can run
        assert entry.points(task, public_only=True) > 0, task


def test_list_json_gives_every_check_with_its_visibility():
    listing = json.loads(run("list", "--json").stdout)
    assert [item["exercise"] for item in listing] == catalog.exercise_names()
    for item in listing:
        entry = catalog.load(item["exercise"])
        hidden = 0.0
        for task in item["tasks"]:
            assert {c["visibility"] for c in task["checks"]} <= {"public", "hidden"}
            assert sum(c["max_score"] for c in task["checks"]) == task["max_score"]
            hidden += sum(c["max_score"] for c in task["checks"] if c["visibility"] == "hidden")
        assert hidden == entry.hidden_points() > 0


def test_public_runs_exactly_the_public_checks_and_says_what_it_held_back():
    solution = str(paths.SOLUTIONS / "exercise3.py")
    entry = catalog.load("exercise3")
    public = json.loads(run("exercise3", "--submission", solution, "--public", "--json").stdout)
    full = json.loads(run("exercise3", "--submission", solution, "--json").stdout)
    public_names = {c.name for c in entry.checks if not c.info.hidden}
    assert {c["name"] for t in public["tasks"] for c in t["checks"]} == public_names
    assert {c["visibility"] for t in public["tasks"] for c in t["checks"]} == {"public"}
    assert public["hidden_max_score"] == entry.hidden_points() == 8
    assert public["score"] == public["max_score"] == entry.max_score - 8
    assert full["hidden_max_score"] == 0 and full["max_score"] == entry.max_score
    assert {c["visibility"] for t in full["tasks"] for c in t["checks"]} == {"public", "hidden"}


def test_a_public_run_never_reads_as_all_passed():
    result = run("exercise3", "--submission", str(paths.SOLUTIONS / "exercise3.py"), "--public")
    text = " ".join(result.output.split())  # rich wraps long lines
    assert ("Public checks: 22 / 22 points in" in text
            and "Your instructor's grading adds hidden checks worth 8 more points; they are not "
                "run here." in text)
    assert "100%" not in text and "Total:" not in text


def test_fail_under_in_a_public_run_counts_the_public_points():
    solution = str(paths.SOLUTIONS / "exercise3.py")
    assert run("exercise3", "--submission", solution, "--public", "--fail-under", "100").exit_code == 0


def test_a_hidden_check_shows_its_name_and_sentence_but_no_values(tmp_path):
    # Wrong only for the hidden check's one sample of five scores: the values it saw stay unseen.
    wrong = with_reference("exercise3", '''
_right_cross_entropy = cross_entropy

def cross_entropy(logits, targets):
    loss = _right_cross_entropy(logits, targets)
    return loss * 2 if tuple(logits.shape) == (1, 5) else loss
''')
    result = engine.grade("exercise3", write_submission(tmp_path, "exercise3", wrong))
    failed = [c for _, c in result.checks() if c.status != "passed"]
    assert [c.name for c in failed] == ["cross entropy takes a batch of one"]
    assert failed[0].visibility == "hidden"
    assert "is not what it should be" in failed[0].feedback
    assert "right value" not in failed[0].feedback and "it is" not in failed[0].feedback


def test_public_and_watch_together_are_refused_in_one_sentence():
    result = run("exercise3", "--submission", str(paths.SOLUTIONS / "exercise3.py"), "--public",
                 "--watch")
    assert result.exit_code == 2 and "--public cannot be combined with --watch" in result.output
