"""A class's numbers: mistakes counted where they were made, among the graded only."""

from grader import classstats
from grader.results import CheckResult, Flag, GradeResult, TaskResult


def student(name: str, softmax: list[tuple[str, str]], score: float = 0.0, **extra) -> GradeResult:
    checks = [CheckResult(check, status, 1.0 if status == "passed" else 0.0, 1.0, feedback)
              for check, (status, feedback) in zip(("rows sum to one", "is stable"), softmax)]
    return GradeResult("exercise3", name, "graded", score, 2.0,
                       [TaskResult("softmax", score, 2.0, checks)], **extra)


PASS = ("passed", "")


def test_mistakes_are_ranked_with_the_sentence_most_students_got():
    results = [
        student("ann", [("failed", "row 0 sums to 2.73; wrong dim?"), ("failed", "inf at 1e4")]),
        student("bob", [("failed", "row 1 sums to 0.5; wrong dim?"), PASS], 1.0),
        student("cal", [("error", "your softmax raised ValueError"), PASS], 1.0),
        student("dan", [PASS, PASS], 2.0),
    ]
    first, second = classstats.mistakes(results)
    assert (first.check, first.count, first.students) == ("rows sum to one", 3, ["ann", "bob", "cal"])
    assert first.sentence == "row 0 sums to 2.73; wrong dim?" and first.sentence_count == 2
    assert first.statuses == {"failed": 2, "error": 1}
    assert (second.check, second.students) == ("is stable", ["ann"])
    assert classstats.checks_everyone_passed(results) == []


def test_rows_that_were_not_graded_are_counted_at_a_glance_not_as_mistakes():
    template = student("x", [PASS, PASS], 2.0)
    results = [
        student("ann", [("failed", "wrong"), PASS], 1.0, flags=[Flag("ctypes")]),
        GradeResult.stopped(template, "bob", "timeout", "took longer than 8 s"),
        GradeResult.empty(template, "cal", "missing", "nothing gradable"),
        GradeResult.empty(template, "dan", "import_error", "SyntaxError"),
    ]
    (only,) = classstats.mistakes(results)
    assert only.students == ["ann"]
    glance = classstats.glance(results)
    assert (glance.students, glance.submitted, glance.graded, glance.missing) == (4, 3, 1, 1)
    assert (glance.import_errors, glance.timeouts, glance.flagged) == (1, 1, 1)
    assert glance.mean == glance.median == 1.0
    (task,) = classstats.tasks(results)
    assert (task.mean, task.full_marks, task.graded) == (1.0, 0, 1)


def test_the_histogram_puts_full_marks_in_the_last_tenth():
    assert classstats.histogram([0, 2.9, 3, 21, 30], 30) == [2, 1, 0, 0, 0, 0, 0, 1, 0, 1]
