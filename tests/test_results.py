"""The one result model: its statuses, the results made without running a check, its JSON."""

import json
import subprocess
import sys

import pytest

from grader.results import (
    CHECK_STATUSES,
    GRADE_STATUSES,
    ROW_STATUSES,
    CheckResult,
    GradeResult,
    TaskResult,
)


def template() -> GradeResult:
    checks = [CheckResult("rows sum to one", "failed", 0.0, 2.0),
              CheckResult("is stable", "failed", 0.0, 1.0, visibility="hidden")]
    return GradeResult("exercise3", "", "graded", 0.0, 3.0, [TaskResult("softmax", 0.0, 3.0, checks)])


def test_empty_has_every_task_at_zero_and_no_checks():
    result = GradeResult.empty(template(), "bob", "missing", "no exercise3.py in bob/")
    assert result.row_status == "missing" and result.max_score == 3.0 and result.score == 0
    assert [(t.name, t.score, t.max_score, t.checks) for t in result.tasks] == [("softmax", 0, 3, [])]


@pytest.mark.parametrize("check_status, row_status", [("timeout", "timeout"),
                                                      ("crashed", "grader_error")])
def test_stopped_has_every_check_stopped_and_reads_as_its_row_status(check_status, row_status):
    result = GradeResult.stopped(template(), "eve", check_status, "stopped after 8 s", 8.04)
    assert result.status == "graded" and result.row_status == row_status
    assert [(c.status, c.score, c.visibility) for _, c in result.checks()] == [
        (check_status, 0.0, "public"), (check_status, 0.0, "hidden")]
    assert result.duration_s == 8.04


def test_every_status_it_can_have_is_one_the_model_declares():
    assert set(GRADE_STATUSES) < set(ROW_STATUSES)
    stopped = {GradeResult.stopped(template(), "x", s, "why").row_status for s in CHECK_STATUSES}
    assert stopped <= set(ROW_STATUSES)


def test_a_document_round_trips_through_json():
    result = GradeResult.stopped(template(), "eve", "timeout", "stopped")
    assert GradeResult.from_json(result.to_json()) == result
    assert "error" not in GradeResult("exercise3", "ann", "graded", 0.0, 0.0).to_dict()


def test_what_to_fix_shows_one_explanation_once_per_task():
    checks = [CheckResult(n, "forbidden", 0.0, 1.0, "calls torch.softmax") for n in "abc"]
    result = GradeResult("exercise3", "x", "graded", 0.0, 3.0, [TaskResult("softmax", 0, 3, checks)])
    ((task, failing),) = result.what_to_fix()
    assert [show for _, show in failing] == [True, False, False]


def test_the_json_document_of_grade_lists_statuses_the_model_declares(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    stub = root / "exercises" / "exercise3.py"
    shown = subprocess.run([sys.executable, "-m", "grader.cli", "exercise3", "--submission",
                            str(stub), "--json"], capture_output=True, text=True, check=True)
    result = GradeResult.from_json(shown.stdout)
    assert result.status in GRADE_STATUSES
    assert {c.status for _, c in result.checks()} <= set(CHECK_STATUSES)
    assert json.loads(shown.stdout)["hidden_max_score"] == 0
