"""read_submission, the one judge of whether a file can be graded, for grade and grade batch."""

import subprocess
import sys

import pytest

from grader import paths
from grader.errors import SubmissionError
from grader.submission import MAX_BYTES, read_submission


def too_big(folder):
    path = folder / "exercise3.py"
    path.write_text("x = 1\n" + "#" * MAX_BYTES)
    return path


@pytest.mark.parametrize("make, sentence", [
    (lambda f: f / "nothing.py", "No submission found at "),
    (lambda f: f, "is a folder"),
    (lambda f: (f / "notes.txt").write_text("x = 1") and f / "notes.txt", "neither a .py file"),
    (lambda f: (f / "a.py").write_bytes(b"x = '\xff'") and f / "a.py", "is not a UTF-8 text file"),
    (too_big, "a submission is source code, at most 16 MB"),
])
def test_what_cannot_be_graded_gets_one_sentence(tmp_path, make, sentence):
    with pytest.raises(SubmissionError, match=sentence):
        read_submission(make(tmp_path), "exercise3")


def test_grade_and_grade_batch_judge_a_file_alike(tmp_path):
    big = too_big(tmp_path)
    single = subprocess.run([sys.executable, "-m", "grader.cli", "exercise3", "--submission",
                             str(big)], capture_output=True, text=True, timeout=120)
    assert single.returncode == 2
    (sentence,) = single.stderr.splitlines()
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    big.rename(klass / "ann" / "exercise3.py")
    (klass / "bob.py").write_text((paths.SOLUTIONS / "exercise3.py").read_text())
    batch = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(klass), "--exercise",
                            "exercise3", "--out", str(tmp_path / "out"), "--jobs", "1"],
                           capture_output=True, text=True, timeout=240)
    assert batch.returncode == 0, batch.stderr
    csv = (tmp_path / "out" / "grades.csv").read_text()
    assert "ann,,import_error,0,30" in csv and "bob,,graded,30,30" in csv
    feedback = (tmp_path / "out" / "feedback" / "ann.md").read_text()
    assert sentence.removeprefix("grade: ") in feedback
