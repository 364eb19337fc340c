"""The grader's side of a worker: what the student printed is mentioned, capped."""

from __future__ import annotations

from grader import engine, paths
from helpers import with_reference, write_submission

PRINTS = '''
def sigmoid(x):
    for i in range(2013):
        print("step", i, "x" * 500)
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
'''


def test_what_the_student_printed_is_mentioned_with_its_first_lines(tmp_path):
    path = write_submission(tmp_path, "exercise3", with_reference("exercise3", PRINTS))
    result = engine.grade("exercise3", path, task="sigmoid")
    calls = result.printed.count("\n")
    assert result.printed.startswith("Your code printed ") and " lines while it was graded" in result.printed
    lines = int(result.printed.split()[3].replace(",", ""))
    assert lines % 2013 == 0 and lines >= 2013 * 5  # every call to sigmoid printed them all
    assert calls == 10 and "    step 0 " in result.printed and " ..." in result.printed
    assert len(result.printed) < 3000  # capped, however much was printed
    assert result.to_dict()["printed"] == result.printed


def test_a_submission_that_prints_nothing_is_told_nothing(tmp_path):
    result = engine.grade("exercise3", paths.SOLUTIONS / "exercise3.py")
    assert result.printed == ""


def test_a_librarys_warning_is_not_the_students_output(tmp_path):
    source = with_reference("exercise3", "import warnings\nwarnings.warn('from a library')\n")
    result = engine.grade("exercise3", write_submission(tmp_path, "exercise3", source),
                          task="sigmoid")
    assert result.printed == ""


def test_printing_at_import_is_mentioned_even_when_the_import_fails(tmp_path):
    path = write_submission(tmp_path, "exercise3", "print('hello')\nraise ValueError('no')\n")
    result = engine.grade("exercise3", path)
    assert result.status == "import_error"
    assert "printed 1 line" in result.printed and "hello" in result.printed
