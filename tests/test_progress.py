"""What a running batch shows the person who started it."""

import io
from pathlib import Path

from grader import progress
from grader.results import BatchSummary, CheckResult, Flag, GradeResult, TaskResult


def test_the_progress_bar_on_a_terminal():
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    display = progress.BarDisplay(console)
    display.start(total=3, kept=1, jobs=2)
    result = GradeResult("exercise3", "bob", "missing", 0.0, 30.0, [], 0.0, "nothing")
    display.result(result)
    display.tick()
    display.finish(BatchSummary("exercise3", Path("out"), [result], 1, 1, 2, 1.0, []))
    shown = console.file.getvalue()
    assert "2/3" in shown and "1 left" in shown and "1 not graded" in shown and "/min" in shown


def test_the_summary_names_flagged_submissions():
    honest = GradeResult("exercise3", "ann", "graded", 30.0, 30.0)
    flagged = GradeResult("exercise3", "eve", "graded", 30.0, 30.0, flags=[Flag("ctypes", "")])
    lines = progress.summary_lines(BatchSummary("exercise3", Path("out"), [honest, flagged],
                                                2, 0, 2, 1.0, []))
    assert any("flagged for the instructor (1): eve" in line for line in lines)


def test_the_summary_names_the_common_mistakes_and_the_class_report():
    def failing(student, *checks):
        results = [CheckResult(c, "passed" if c not in checks else "failed", 0.0, 1.0)
                   for c in ("a", "b", "c", "d")]
        return GradeResult("exercise3", student, "graded", 0.0, 4.0,
                           [TaskResult("softmax", 0.0, 4.0, results)])

    results = [failing("ann", "a", "b", "c", "d"), failing("bob", "b", "c", "d"),
               failing("cal", "c", "d"), failing("dan", "d")]
    lines = progress.summary_lines(BatchSummary("exercise3", Path("out"), results, 4, 0, 2, 1.0,
                                                [], report=Path("out/report.html"), similar=3))
    assert "  most common mistakes: d (4 students); c (3 students); b (2 students)" in lines
    assert "  flagged for the instructor: 0" in lines
    assert "  in groups of near-identical submissions: 3" in lines
    assert "  class report: out/report.html" in lines


def test_the_bar_names_a_submission_that_runs_long():
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=160)
    display = progress.BarDisplay(console)
    display.start(total=3, kept=0, jobs=2)
    display.tick(running=(("ann", 2.0), ("bob", 3.0)))
    assert "still grading" not in console.file.getvalue()  # nobody runs long yet
    display.tick(running=(("ann", 2.0), ("eve", 35.0), ("bob", 12.0)))
    display.progress.stop()
    assert "still grading eve (35 s) and 1 more" in console.file.getvalue()
    assert progress.slowest(()) == ""
