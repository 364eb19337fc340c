"""`grade batch`: a class of correct, wrong and hostile submissions, graded as an instructor would.

The class (tests/batch_fixture.py) is graded once a session through the command
line (the ``graded_class`` fixture in conftest.py, shared with the class report's
tests); most tests read that run's gradebook. One test kills a second run with
SIGKILL half-way and checks that running the command again ends with the same
gradebook. The rest are quick tests of finding submissions and of the output
files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from batch_fixture import EXERCISE, GRADE, SOLUTION, STUB, TIMEOUT, run_batch, solution_notebook
from click.testing import CliRunner

from grader import catalog, classfolder, engine, paths
from grader.cli import cli
from grader.errors import BatchError
from grader.results import GradeResult
from grader.student import Student
from grader.submission import Submission


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as file:
        return {row["student"]: row for row in csv.DictReader(file)}


def documents(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def strip_durations(value):
    """A document without the times it measured (the submission's and each check's)."""
    if isinstance(value, dict):
        return {k: strip_durations(v) for k, v in value.items() if k != "duration_s"}
    if isinstance(value, list):
        return [strip_durations(v) for v in value]
    return value


def without_durations(out: Path) -> tuple[list[dict], list[list[str]]]:
    docs = [strip_durations(d) for d in documents(out)]
    table = list(csv.reader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8-sig"))))
    return docs, [row[:-1] for row in table]  # duration_s is the last column


def namespaces_available() -> bool:
    student = Student(engine.fork_server(), Submission("x = 1\n", "x.py", "x"),
                      engine.sandbox_config())
    try:
        student.load()
        return bool(student.in_namespaces)
    finally:
        student.close()


def test_every_student_has_a_row_with_the_right_score_and_status(graded_class):
    _, out, expected, _, _ = graded_class
    table = rows(out)
    assert set(table) == set(expected)
    assert len(table) >= 30
    isolated = namespaces_available()
    by_student = {d["submission"]: d for d in documents(out)}
    for student, want in expected.items():
        row, doc = table[student], by_student[student]
        assert row["status"] == want.status, (student, row, doc.get("error"))
        if want.needs_namespaces and not isolated:
            continue
        total, tasks = float(row["total"]), {t["name"]: t for t in doc["tasks"]}
        assert float(row["max"]) == 30.0
        if want.score is not None:
            assert total == want.score, (student, row)
        for task in want.broken:
            assert tasks[task]["score"] < tasks[task]["max_score"], (student, task)
        if want.zero:
            for name, task in tasks.items():
                full = 0.0 if name in want.zero else task["max_score"]
                assert task["score"] == full, (student, name, task["score"])


def test_a_batch_grades_as_grade_does(graded_class):
    folder, out, _, _, _ = graded_class
    by_student = {d["submission"]: d for d in documents(out)}
    student = "m_softmax_wrong_dim"
    alone = engine.grade(EXERCISE, folder / student / f"{EXERCISE}.py", label=student)
    assert [(t.name, t.score) for t in alone.tasks] == [
        (t["name"], t["score"]) for t in by_student[student]["tasks"]]


HIDDEN_CHECKS = sum(c.info.hidden for c in catalog.load(EXERCISE).checks)


def test_every_output_is_written_for_every_student(graded_class):
    _, out, expected, _, _ = graded_class
    docs = documents(out)
    assert [d["submission"] for d in docs] == sorted(expected, key=str.casefold)
    for doc in docs:
        result = GradeResult.from_dict(doc)  # the design's result document, as written
        assert result.exercise == EXERCISE
        feedback = (out / "feedback" / f"{result.submission}.md").read_text()
        assert f"Score: {result.score:g} / {result.max_score:g}" in feedback
        report = json.loads((out / "gradescope" / result.submission / "results.json").read_text())
        assert report["score"] == result.score == sum(t["score"] for t in report["tests"])
        assert sum(t["max_score"] for t in report["tests"]) == result.max_score
        assert {t["status"] for t in report["tests"]} <= {"passed", "failed"}
        assert all(t["visibility"] in ("visible", "after_published") and "output" in t
                   for t in report["tests"])  # hidden checks show once grades are published
        assert sum(t["visibility"] == "after_published" for t in report["tests"]) == HIDDEN_CHECKS
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert sorted(s.get("name") for s in suites) == sorted(expected)
    ada = next(s for s in suites if s.get("name") == "ada")  # each check with its own time
    times = [float(case.get("time")) for case in ada.iter("testcase")]
    assert times and all(t >= 0 for t in times) and sum(times) > 0


def test_feedback_says_why_a_submission_was_not_graded(graded_class):
    _, out, _, _, _ = graded_class
    assert "not valid JSON" in (out / "feedback" / "jon.md").read_text()
    assert "nothing gradable" in (out / "feedback" / "lou.md").read_text()
    stopped = (out / "feedback" / "h_hangs_at_import.md").read_text()
    assert f"longer than the {TIMEOUT} s allowed" in stopped


def test_hostile_submissions_cannot_touch_the_gradebook(graded_class):
    _, out, expected, _, _ = graded_class
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == len(expected)  # the copycat's forged lines are not there
    assert not any('"score": 30.0}' in line and "h_copycat" in line for line in lines)
    assert rows(out)["h_fake_report"]["total"] == "23"


def test_flags_reach_the_gradebook_and_honest_work_has_none(graded_class):
    _, out, _, _, _ = graded_class
    flags = {d["submission"]: {f["kind"] for f in d.get("flags", [])} for d in documents(out)}
    assert "ctypes" in flags["h_segfault"]  # ctypes.string_at(0), under the submission
    honest = [s for s in flags if not s.startswith("h_")]
    assert honest and all(flags[s] == set() for s in honest), {s: flags[s] for s in honest}


def test_piped_output_is_one_quiet_line_per_submission(graded_class):
    _, _, expected, finished, _ = graded_class
    lines = finished.stdout.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == len(expected)
    assert any(" ada graded 30/30 (" in line for line in progress)
    assert "\x1b[" not in finished.stdout  # no escape codes when piped
    assert "timeout 2" in finished.stdout and "missing 2" in finished.stdout


def test_kill_9_then_the_same_command_gives_the_same_gradebook(graded_class, tmp_path):
    folder, reference_out, expected, _, _ = graded_class
    out = tmp_path / "out"
    process = subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", EXERCISE,
                                "--out", str(out), "--timeout", TIMEOUT, "--jobs", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results, deadline = out / "results.jsonl", time.monotonic() + 240
    while not results.exists() or results.read_bytes().count(b"\n") < len(expected) // 3:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    helpers = descendants(process.pid)  # the spawner, grading processes, fork-servers, workers
    assert len(helpers) >= 3
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = results.read_bytes().count(b"\n")
    assert written < len(expected)

    # Everything the batch started dies with it (PR_SET_PDEATHSIG, one level at a time).
    deadline = time.monotonic() + 20
    while [pid for pid in helpers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)]
    again = run_batch(folder, out)
    assert again.returncode == 0, again.stderr
    kept = int(re.search(r"(\d+) kept from an earlier run", again.stdout).group(1))
    assert written - 1 <= kept <= written  # a result whose fingerprint was not yet written
    assert without_durations(out) == without_durations(reference_out)


def test_a_grading_process_that_dies_is_replaced_and_its_submission_retried(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name in "abcdef":
        (folder / f"{name}.py").write_text(SOLUTION.read_text())
    process = subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out",
                                str(out), "--jobs", "2"], stdout=subprocess.PIPE, text=True)
    results, deadline = out / "results.jsonl", time.monotonic() + 120
    while not results.exists() or not results.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    (spawner,) = children(process.pid)
    grading = children(spawner)  # forked by the spawner, which knows nothing of the class
    os.kill(grading[0], signal.SIGKILL)  # as the kernel's OOM killer might
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert {s: (r["status"], r["total"]) for s, r in rows(out).items()} == {
        name: ("graded", "30") for name in "abcdef"}, stdout


def children(pid: int) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                           text=True).stdout.split()]


def descendants(pid: int) -> list[int]:
    found = children(pid)
    return found + [d for child in found for d in descendants(child)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_rerun_grades_only_what_changed_and_force_grades_all(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / f"{EXERCISE}.py").write_text(STUB.read_text())
    (folder / "bob.py").write_text(SOLUTION.read_text())
    assert run_batch(folder, out).returncode == 0
    before = documents(out)

    again = run_batch(folder, out)  # nothing changed: nothing is graded, no worker starts
    assert "2 kept from an earlier run" in again.stdout and documents(out) == before

    (folder / "ann" / f"{EXERCISE}.py").write_text(SOLUTION.read_text())  # a late fix
    (folder / "cat.py").write_text(STUB.read_text())  # a late submission
    changed = run_batch(folder, out)
    assert "grading 2 of 3" in changed.stdout
    assert {s: r["total"] for s, r in rows(out).items()} == {"ann": "30", "bob": "30", "cat": "0"}

    forced = run_batch(folder, out, "--force")
    assert "grading 3 of 3" in forced.stdout
    assert len(documents(out)) == 3


def test_nbgrader_layout_in_a_zip(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("course/submitted/ann/ps3/ps3.ipynb", solution_notebook())
        zipped.writestr("course/submitted/ann/ps3/timestamp.txt", "2026-01-01")
        zipped.writestr("course/submitted/bob/ps3/notes.txt", "no notebook")
        zipped.writestr("course/source/ps3/ps3.ipynb", solution_notebook())
    finished = run_batch(archive, tmp_path / "out")
    assert finished.returncode == 0, finished.stderr
    table = rows(tmp_path / "out")
    assert {s: (r["status"], r["total"]) for s, r in table.items()} == {
        "ann": ("graded", "30"), "bob": ("missing", "0")}


def test_links_and_zip_bombs_cost_only_their_senders_and_every_student_gets_a_row(tmp_path):
    folder = tmp_path / "class"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / f"{EXERCISE}.py").write_text(SOLUTION.read_text())
    (folder / "mallory.py").symlink_to(SOLUTION)  # graded 30/30 when links were followed
    (folder / "peeker.py").symlink_to("/etc/passwd")  # its content was quoted in feedback
    with zipfile.ZipFile(folder / "linky.zip", "w") as zipped:
        link_member(zipped, f"{EXERCISE}.py", "/etc/passwd")
    with zipfile.ZipFile(folder / "upward.zip", "w") as zipped:
        link_member(zipped, "linky", "../../..")
    bomb(folder / "boom.zip", f"boom/{EXERCISE}.py", 24)
    finished = run_batch(folder, tmp_path / "out")
    assert finished.returncode == 0, finished.stderr
    table = {s: (r["status"], r["total"]) for s, r in rows(tmp_path / "out").items()}
    assert table == {"ann": ("graded", "30"), "mallory": ("missing", "0"), "peeker": ("missing", "0"),
                     "linky": ("missing", "0"), "upward": ("missing", "0"), "boom": ("missing", "0")}
    assert "root:" not in (tmp_path / "out" / "results.jsonl").read_text()


# -- quick tests: no grading ---------------------------------------------------------------

def found(folder: Path, tmp_path: Path) -> dict[str, classfolder.Found]:
    klass = classfolder.find_submissions(folder, EXERCISE, tmp_path / "scratch")
    return {f.student: f for f in klass.found}


def test_layouts_folder_per_student_and_loose_files(tmp_path):
    folder = tmp_path / "class"
    for relative in ["ann/exercise3.py", "bob/work/exercise3.ipynb", "cal/Exercise 3.py",
                     "dan/helper.py", "eve.py", "fay.ipynb", "gus/a.py", "gus/b.py",
                     "ann/exercise3.ipynb", ".hidden/exercise3.py", "roster.csv"]:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text("x = 1\n")
    (folder / "hal").mkdir()
    students = found(folder, tmp_path)
    assert sorted(students) == ["ann", "bob", "cal", "dan", "eve", "fay", "gus", "hal"]
    assert students["ann"].path.name == "exercise3.py"  # .py first, as `grade` does
    assert students["bob"].path.name == "exercise3.ipynb"
    assert students["cal"].path.name == "Exercise 3.py"
    assert students["dan"].path.name == "helper.py"  # the only candidate
    assert students["eve"].path.name == "eve.py"
    assert students["gus"].status == "missing" and "ambiguous" in students["gus"].problem
    assert students["hal"].status == "missing" and "nothing gradable" in students["hal"].problem
    klass = classfolder.find_submissions(folder, EXERCISE, tmp_path / "scratch2")
    assert klass.ignored == ["roster.csv"]


def test_one_name_twice_keeps_both(tmp_path):
    folder = tmp_path / "class"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / "exercise3.py").write_text("x = 1\n")
    (folder / "ann.py").write_text("x = 2\n")
    assert sorted(found(folder, tmp_path)) == ["ann", "ann.py"]


def test_links_inside_a_students_folder_are_not_followed(tmp_path):
    folder = tmp_path / "class"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / "exercise3.py").symlink_to(SOLUTION)
    assert found(folder, tmp_path)["ann"].status == "missing"


def link_member(zipped: zipfile.ZipFile, name: str, target: str) -> None:
    """A zip member that unpacks (with `unzip`) to a symbolic link."""
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zipped.writestr(info, target)


def bomb(path: Path, member: str, megabytes: int, extra: dict[str, str] = ()) -> None:
    """A zip of a few kB holding ``member`` that unpacks to ``megabytes`` of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open(member, "w", force_zip64=True) as out:
            for _ in range(megabytes):
                out.write(bytes(1024**2))
        for name, text in dict(extra).items():
            zipped.writestr(name, text)


def test_links_at_the_top_of_a_class_folder_are_reported_not_followed(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "mallory.py").symlink_to(SOLUTION)
    (folder / "passwd.py").symlink_to("/etc/passwd")
    (folder / "eve").symlink_to(SOLUTION.parent, target_is_directory=True)
    students = found(folder, tmp_path)
    for name in ("mallory", "passwd", "eve"):
        assert students[name].status == "missing" and students[name].path is None
        assert "link" in students[name].problem


def test_zips_unpack_only_gradable_files_within_one_class_budget(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    bomb(folder / "ann.zip", "ann/data.bin", 40, {"ann/exercise3.py": "x = 1\n"})
    bomb(folder / "bob.zip", "bob/exercise3.py", 20)  # past the 16 MB a submission may be
    with zipfile.ZipFile(folder / "cat.zip", "w") as zipped:
        link_member(zipped, "exercise3.py", "/etc/passwd")
        link_member(zipped, "up.py", "../../..")
    students = found(folder, tmp_path)
    assert students["ann"].path.read_text() == "x = 1\n"
    assert not list((tmp_path / "scratch").rglob("data.bin"))
    assert students["bob"].status == "missing" and "MB" in students["bob"].problem
    assert students["cat"].status == "missing" and "links are not followed" in students["cat"].problem
    monkeypatch.setattr(classfolder, "MAX_CLASS_UNPACK_BYTES", 10 * 1024**2)
    for name in ("dan", "eve", "fay"):
        bomb(folder / f"{name}.zip", f"{name}/exercise3.py", 4)
    students = found(folder, tmp_path / "again")
    assert [students[n].status for n in ("dan", "eve", "fay")] == [None, None, "missing"]
    assert "budget" in students["fay"].problem


def test_student_zips_and_a_class_zip(tmp_path):
    inner = tmp_path / "class" / "ann.zip"
    inner.parent.mkdir()
    with zipfile.ZipFile(inner, "w") as zipped:
        zipped.writestr("ann/exercise3.py", "x = 1\n")
        zipped.writestr("../../escape.py", "x = 1\n")
    (tmp_path / "class" / "bob.zip").write_text("not a zip")
    students = found(tmp_path / "class", tmp_path)
    assert students["ann"].path.read_text() == "x = 1\n"
    assert students["bob"].status == "missing" and "zip" in students["bob"].problem
    assert not (tmp_path / "escape.py").exists() and not (tmp_path.parent / "escape.py").exists()


def test_usage_errors_are_one_sentence_and_exit_2(tmp_path):
    runner = CliRunner()
    (tmp_path / "class").mkdir()
    unknown = runner.invoke(cli, ["batch", str(tmp_path), "--exercise", "exercise99",
                                  "--out", str(tmp_path / "out")])
    assert unknown.exit_code == 2 and "exercise99" in unknown.output
    one = tmp_path / "one"
    one.mkdir()
    (one / "exercise3.py").write_text("x = 1\n")
    with pytest.raises(BatchError, match="one student's folder"):
        classfolder.find_submissions(one, EXERCISE, tmp_path / "scratch")
    empty = run_batch(tmp_path / "class", tmp_path / "out")  # a process that loaded no checks
    assert empty.returncode == 2 and empty.stderr.startswith("grade: no submissions in ")


RESUME = """
import sys
from pathlib import Path
from grader import batch
batch.GRADER_PACKAGE = Path(sys.argv[1])
summary = batch.grade_batch(Path(sys.argv[2]), "exercise3", Path(sys.argv[3]), jobs=1)
print(summary.kept)
"""


def test_a_change_to_a_probe_or_the_check_api_regrades_everything(tmp_path):
    """Whatever decides a score (a probe, the check API's tolerances) decides what a re-run keeps."""
    copy = tmp_path / "grader"  # the grader's sources as this run sees them
    shutil.copytree(paths.COURSE_ROOT / "grader", copy, ignore=shutil.ignore_patterns("__pycache__"))
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ann", "bob"):
        (folder / f"{name}.py").write_text(SOLUTION.read_text())

    def kept() -> int:
        shown = subprocess.run([sys.executable, "-c", RESUME, str(copy), str(folder),
                                str(tmp_path / "out")], capture_output=True, text=True, timeout=240)
        assert shown.returncode == 0, shown.stderr
        return int(shown.stdout.split()[-1])

    assert kept() == 0
    assert kept() == 2
    with open(copy / "probes" / "common.py", "a") as probe:
        probe.write("\n# a probe changed\n")
    assert kept() == 0
    with open(copy / "check.py", "a") as api:
        api.write("\n# the check API changed\n")
    assert kept() == 0


CLASSMATE = "zz-canary-classmate"
SPY = '''

import gc


def _classmate_in_memory():
    needle = "-".join(["zz", "canary", "classmate"])  # not a constant of this module's own
    for thing in gc.get_objects():
        items = thing.values() if isinstance(thing, dict) else thing if isinstance(
            thing, (list, tuple, set)) else ()
        if any(isinstance(item, str) and needle in item for item in items):
            return True
    return False


_sigmoid, _softmax = sigmoid, softmax


def sigmoid(x):  # right only while no classmate is in this process's memory
    return _sigmoid(x) if not _classmate_in_memory() else x * 0


def softmax(x, dim):  # right only if a classmate is
    return _softmax(x, dim) if _classmate_in_memory() else x * 0
'''


def test_a_submission_finds_nothing_of_its_classmates_in_memory(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    (folder / CLASSMATE).mkdir(parents=True)
    (folder / CLASSMATE / "exercise3.py").write_text(SOLUTION.read_text())
    spy = folder / "spy.py"
    for run in ("first run", "re-run, the classmate's result on disk"):
        spy.write_text(SOLUTION.read_text() + SPY + f"\n# {run}\n")
        # The spy scans all of its memory in every call (0.3 s on a busy machine), and the
        # checks call its sigmoid and softmax some 26 times: more than the default 8 s.
        assert run_batch(folder, out, "--timeout", "60").returncode == 0
        row = rows(out)["spy"]
        assert (row["sigmoid"], row["softmax"]) == ("5", "0"), (run, row)
        assert rows(out)[CLASSMATE]["total"] == "30"
