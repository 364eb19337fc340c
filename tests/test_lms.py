"""LMS bulk downloads, named exactly as Canvas, Moodle, Blackboard and nbgrader name them,
become one row per student under the LMS's own id; a roster gives every student a row."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from grader import paths
from grader.classfolder import find_submissions
from grader.errors import BatchError
from grader.roster import apply_roster, read_roster

EXERCISE = "exercise3"
SOLUTION = (paths.SOLUTIONS / f"{EXERCISE}.py").read_text()
STUB = (paths.EXERCISES / f"{EXERCISE}.py").read_text()
GRADE = [sys.executable, "-m", "grader.cli"]


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def students(folder: Path, tmp_path: Path) -> dict:
    klass = find_submissions(folder, EXERCISE, tmp_path / "scratch")
    return {f.student: f for f in klass.found}, klass


# Canvas's content zipper: sortablename[_LATE]_userid_attachmentid_filename, -1 on a repeat.
CANVAS = {
    "doejane_12345_67890_exercise3.py": STUB,
    "doejane_LATE_12345_67891_exercise3-1.py": SOLUTION,
    "smithjohn_23456_78901_helpers.py": SOLUTION,  # a helper, not a student of its own
    "smithjohn_23456_78902_exercise3.py": SOLUTION,
    "leeann_34567_text.html": "<p>see attached</p>",  # a text entry: nothing gradable
}
# Moodle's assign module: "Full Name_participantid_assignsubmission_plugin_" folders or prefixes.
MOODLE = {
    "Jane Doe_12345_assignsubmission_file_/exercise3.py": SOLUTION,
    "Jane Doe_12345_assignsubmission_onlinetext_/onlinetext.html": "<p>done</p>",
    "John Smith_23456_assignsubmission_file_exercise3.py": STUB,
    "Ann Lee_34567_assignsubmission_onlinetext_/onlinetext.html": "<p>forgot the file</p>",
}
# Blackboard's assignment download (and nbgrader's zip_collect): name_user_attempt_date[_file].
BLACKBOARD = {
    "Assignment 3_jdoe_attempt_2026-11-20-10-00-00.txt": "Name: Jane Doe (jdoe)\nAssignment: 3\n",
    "Assignment 3_jdoe_attempt_2026-11-20-10-00-00_exercise3.py": STUB,
    "Assignment 3_jdoe_attempt_2026-11-21-09-30-00.txt": "Name: Jane Doe (jdoe)\nAssignment: 3\n",
    "Assignment 3_jdoe_attempt_2026-11-21-09-30-00_exercise3.py": SOLUTION,
    "Assignment 3_jsmith_attempt_2026-11-20-11-00-00_exercise3.ipynb": "{}",
}


def test_canvas_files_become_one_student_each_under_the_canvas_user_id(tmp_path):
    found, klass = students(write(tmp_path / "canvas", CANVAS), tmp_path)
    assert sorted(found) == ["12345", "23456", "34567"]
    jane = found["12345"]
    assert (jane.name, jane.late, jane.path.read_text()) == ("doejane", True, SOLUTION)
    assert jane.file.endswith("doejane_LATE_12345_67891_exercise3-1.py")  # the later upload
    assert found["23456"].file.endswith("smithjohn_23456_78902_exercise3.py")
    assert found["34567"].status == "missing" and not klass.ignored


def test_moodle_folders_and_prefixes_are_one_student_per_participant(tmp_path):
    found, klass = students(write(tmp_path / "moodle", MOODLE), tmp_path)
    assert sorted(found) == ["12345", "23456", "34567"]
    assert found["12345"].name == "Jane Doe" and found["12345"].path.read_text() == SOLUTION
    assert found["12345"].file.endswith("Jane Doe_12345_assignsubmission_file_/exercise3.py")
    assert found["23456"].path.read_text() == STUB
    assert found["34567"].status == "missing"  # online text only: a row, not a phantom


def test_blackboard_attempts_are_one_student_and_the_latest_is_graded(tmp_path):
    found, klass = students(write(tmp_path / "bb", BLACKBOARD), tmp_path)
    assert sorted(found) == ["jdoe", "jsmith"]
    assert found["jdoe"].name == "Jane Doe" and found["jdoe"].path.read_text() == SOLUTION
    assert found["jdoe"].file.endswith("2026-11-21-09-30-00_exercise3.py")
    (note,) = [n for n in klass.notes if n.startswith("jdoe")]
    assert "2 attempts" in note and "2026-11-20-10-00-00" in note


def test_nbgrader_submitted_inside_a_mixed_folder_is_its_students(tmp_path):
    folder = write(tmp_path / "mixed", {"submitted/alice/exercise3/exercise3.ipynb": "{}",
                                        "submitted/bob/exercise3/Exercise 3.ipynb": "{}",
                                        "carol.py": SOLUTION})
    found, _ = students(folder, tmp_path)
    assert sorted(found) == ["alice", "bob", "carol"]


def test_an_out_folder_inside_the_class_folder_is_nobodys_submission(tmp_path):
    folder = write(tmp_path / "klass", {"ann.py": SOLUTION, "grades/grades.csv": "student\n",
                                        "grades/results.jsonl": "", "grades/feedback/ann.md": ""})
    found, klass = students(folder, tmp_path)
    assert sorted(found) == ["ann"] and not klass.ignored
    (folder / "runs").mkdir()  # the folder that will hold a new --out, before it is written
    nested = find_submissions(folder, EXERCISE, tmp_path / "again", exclude=[folder / "runs" / "new"])
    assert sorted(f.student for f in nested.found) == ["ann"]


def test_a_roster_gives_every_student_a_row_and_names_the_unknown(tmp_path):
    found, _ = students(write(tmp_path / "bb", BLACKBOARD), tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffid,name,email\nJDOE,Jane Doe,jdoe@uni.edu\n99,Zoë Park,zpark@uni.edu\n",
                      encoding="utf-8")
    rows, unknown = apply_roster(list(found.values()), read_roster(roster))
    assert [(r.student, r.status) for r in rows] == [("JDOE", None), ("99", "missing"), ("jsmith", None)]
    assert rows[1].name == "Zoë Park" and unknown == ["jsmith"]


def test_a_roster_without_an_id_column_is_refused_in_one_sentence(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\nann,Ann\n")
    with pytest.raises(BatchError, match="no 'id' column"):
        read_roster(roster)


@pytest.mark.slow
def test_a_canvas_batch_with_a_roster_writes_ids_names_late_and_the_graded_file(tmp_path):
    folder = write(tmp_path / "canvas", CANVAS)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n12345,Jane Doe\n23456,John Smith\n45678,Zoë Park\n", encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out", str(out),
                          "--jobs", "2", "--roster", str(roster)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    data = (out / "grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads Zoë right
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(table[0])[:5] == ["student", "name", "status", "total", "max"]
    assert list(table[0])[-4:] == ["late", "file", "flags", "duration_s"]
    rows = {r["student"]: r for r in table}
    assert sorted(rows) == ["12345", "23456", "34567", "45678"]
    assert (rows["12345"]["name"], rows["12345"]["late"], rows["12345"]["total"]) == ("Jane Doe", "yes", "30")
    assert rows["12345"]["file"] == "doejane_LATE_12345_67891_exercise3-1.py"
    assert rows["45678"]["status"] == "missing" and rows["45678"]["name"] == "Zoë Park"
    assert "not on the roster (1): 34567" in run.stdout
    assert sorted(p.stem for p in (out / "feedback").glob("*.md")) == sorted(rows)  # named as the CSV
    assert "Graded file: doejane\\_LATE\\_12345\\_67891\\_exercise3\\-1.py" in (
        out / "feedback" / "12345.md").read_text()

    other = subprocess.run([*GRADE, "batch", str(folder), "--exercise", "exercise2", "--out", str(out)],
                           capture_output=True, text=True, timeout=300)
    assert other.returncode == 2 and "holds the gradebook of exercise3" in other.stderr
    assert len(other.stderr.strip().splitlines()) == 1


def test_a_link_in_a_download_is_never_followed(tmp_path):
    folder = write(tmp_path / "canvas", {"doejane_12345_67890_notes.txt": ""})
    (folder / "doejane_12345_67891_exercise3.py").symlink_to(paths.SOLUTIONS / f"{EXERCISE}.py")
    (folder / "Jane Doe_23456_assignsubmission_file_").mkdir()
    (folder / "Jane Doe_23456_assignsubmission_file_" / "exercise3.py").symlink_to(
        paths.SOLUTIONS / f"{EXERCISE}.py")
    found, _ = students(folder, tmp_path)
    assert {s: f.status for s, f in found.items()} == {"12345": "missing", "23456": "missing"}


def test_nbgraders_zip_collect_names_are_blackboards_with_or_without_the_assignment(tmp_path):
    # the examples of nbgrader's zip_collect documentation, with this exercise's file
    folder = write(tmp_path / "archive", {
        "hacker_attempt_2016-01-30-15-30-10_exercise3.ipynb": "{}",
        "ps1_bitdiddle_attempt_2016-01-30-20-30-10_exercise3.ipynb": "{}",
        "ps1_bitdiddle_attempt_2016-01-30-20-30-10_helpers.py": SOLUTION})
    found, _ = students(folder, tmp_path)
    assert sorted(found) == ["bitdiddle", "hacker"]
    assert found["bitdiddle"].path.name == "exercise3.ipynb"
