"""`grade` run by an ordinary user, as students run it on their own machines.

The suite usually runs as root, where workers get their own unprivileged uid.
An ordinary user's workers get their walls from a user namespace instead, in
which they start as its root: this path must work, and must not leave them
able to take the walls down. Under root these tests run `grade` as 'nobody'.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader import paths, sandbox, secret
from helpers import with_reference

NOBODY = 65534
HOSTILE = Path(__file__).parent / "hostile"


def _become_nobody(needed: list[str]) -> None:
    """In the child, before exec: let 'nobody' reach Python (which may live under a 0700
    /root) through a private mount namespace, then become 'nobody'."""
    sandbox._check(sandbox._libc.unshare(sandbox.CLONE_NEWNS), "unshare")
    sandbox._mount(None, "/", None, sandbox.MS_REC | sandbox.MS_PRIVATE, None)
    for blocked in sorted({b for b in map(sandbox._blocked_ancestor, needed) if b}):
        sandbox._cover(blocked, needed, mode="0711")
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)  # pytest's tmp_path lies in a folder only root may enter
        with secret_owned_by_the_grading_user():
            yield Path(scratch)


@contextlib.contextmanager
def secret_owned_by_the_grading_user():
    """The course secret is readable by its owner only; 'nobody' grades this tree here."""
    path, owner = paths.COURSE_SECRET, None
    secret.course_secret()
    if os.getuid() == 0:
        owner = os.stat(path)
        os.chown(path, NOBODY, NOBODY)
    try:
        yield
    finally:
        if owner is not None:
            os.chown(path, owner.st_uid, owner.st_gid)


def run_as_ordinary_user(args: list[str], folder: Path) -> str:
    """``grade ARGS`` as an ordinary user; its standard output."""
    needed = [*sandbox.needed_paths(), str(paths.COURSE_ROOT), str(Path(sys.executable).parent)]
    become = None if os.getuid() != 0 else (lambda: _become_nobody(needed))
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        cwd=folder, env={**os.environ, "HOME": str(folder)}, preexec_fn=become,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "namespaces are not available" not in done.stderr, done.stderr
    return done.stdout


def grade_as_ordinary_user(submission: Path, folder: Path) -> dict:
    return json.loads(run_as_ordinary_user(["exercise3", "--submission", str(submission), "--json"],
                                           folder))


def scores(result: dict) -> dict:
    return {t["name"]: (t["score"], t["max_score"]) for t in result["tasks"]}


def test_an_ordinary_user_grades_the_solution_in_full(folder):
    submission = folder / "solution.py"
    submission.write_text((paths.SOLUTIONS / "exercise3.py").read_text())
    result = grade_as_ordinary_user(submission, folder)
    assert result["status"] == "graded", result["error"]
    assert result["score"] == result["max_score"]


def test_an_ordinary_users_worker_cannot_unmount_the_covers(folder):
    submission = folder / "unmounts.py"
    submission.write_text(with_reference("exercise3", (HOSTILE / "unmounts_the_covers.py").read_text()))
    result = scores(grade_as_ordinary_user(submission, folder))
    assert result.pop("cross_entropy")[0] == 0
    assert all(score == full for score, full in result.values()), result


def test_an_ordinary_user_grades_a_class(folder):
    students = folder / "class"
    students.mkdir()
    (students / "alice.py").write_text((paths.SOLUTIONS / "exercise3.py").read_text())
    (students / "mallory.py").write_text(
        with_reference("exercise3", (HOSTILE / "unmounts_the_covers.py").read_text()))
    out = folder / "out"
    out.mkdir()
    os.chmod(students, 0o755)
    os.chmod(out, 0o777)
    run_as_ordinary_user(["batch", str(students), "--exercise", "exercise3", "--out", str(out),
                          "--jobs", "2"], folder)
    results = {doc["submission"]: doc for doc in map(json.loads, (out / "results.jsonl").open())}
    assert results["alice"]["score"] == results["alice"]["max_score"]
    mallory = scores(results["mallory"])
    assert mallory.pop("cross_entropy")[0] == 0
    assert all(score == full for score, full in mallory.values()), mallory
