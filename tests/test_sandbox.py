"""What a worker can and cannot do, observed from inside one."""

import os
import sys
from pathlib import Path

import pytest

from grader import engine, paths, sandbox
from grader.student import Student, StudentRaised, StudentTimeout, WorkerCrashed
from grader.submission import Submission

SPY = '''
import os, resource, socket

def facts():
    def readable(path):
        try:
            os.listdir(path)
            return True
        except OSError:
            return False
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        network = True
    except OSError:
        network = False
    return {
        "uid": os.getuid(),
        "cwd": os.getcwd(),
        "processes": len([p for p in os.listdir("/proc") if p.isdigit()]),
        "network": network,
        "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
        "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
        "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0],
        "oom_score_adj": int(open("/proc/self/oom_score_adj").read()),
        "capabilities": [line.split()[1] for line in open("/proc/self/status")
                         if line.startswith(("CapEff", "CapPrm", "CapBnd", "CapAmb"))],
        "solutions": readable(%(solutions)r),
        "checks": readable(%(checks)r),
        "tests": readable(%(tests)r),
    }

def read_file(path):
    with open(path) as f:
        return f.read()

def write_big():
    with open("big.bin", "wb") as f:
        f.write(b"x" * (64 * 1024 * 1024))

def listing(path):
    return sorted(os.listdir(path))

def sleep_forever():
    import time
    time.sleep(3600)

def crash():
    os.abort()

def echo(x):
    return x

def shout():
    import sys
    for _ in range(5000):
        print("x" * 99)
    sys.stderr.write("done")
    return 1
''' % {"solutions": str(paths.SOLUTIONS), "checks": str(paths.CHECKS), "tests": str(paths.TESTS)}


@pytest.fixture
def student():
    spy = Student(engine.fork_server(), Submission(SPY, "spy.py", "spy"), engine.sandbox_config(),
                  timeout=5)
    yield spy
    spy.close()


def test_worker_is_walled_off(student):
    facts = student.facts()
    if not student.in_namespaces:
        pytest.skip("namespaces are unavailable on this machine; the weaker guard is in use")
    assert not facts["solutions"] and not facts["checks"] and not facts["tests"]
    assert not facts["network"]
    assert facts["processes"] <= 2, "the worker sees other processes"
    assert facts["cwd"] == "/tmp/work"


def test_worker_sees_nothing_outside_python_and_the_system(student, tmp_path):
    student.echo(0)
    if not student.in_namespaces:
        pytest.skip("namespaces are unavailable on this machine; the weaker guard is in use")
    other_copy = tmp_path / "solutions" / "exercise3.py"  # e.g. another checkout of the course
    other_copy.parent.mkdir()
    other_copy.write_text("ANSWER = 42\n")
    with pytest.raises(StudentRaised, match="No such file"):
        student.read_file(str(other_copy))
    with pytest.raises(StudentRaised, match="No such file"):
        student.read_file(str(paths.COURSE_ROOT.parent / "shared" / "design.md"))


def test_worker_sees_of_the_course_only_the_grader_package(student):
    """Not the course's .git (every past version of solutions/), its exercises or README."""
    student.echo(0)
    if not student.in_namespaces:
        pytest.skip("namespaces are unavailable on this machine; the weaker guard is in use")
    inside = {Path(p).relative_to(paths.COURSE_ROOT).parts[0] for p in sandbox.needed_paths()
              if Path(p).is_relative_to(paths.COURSE_ROOT)}
    assert inside == {"grader"} or inside == {"grader", Path(sys.prefix).name}
    assert student.listing(str(paths.COURSE_ROOT)) == sorted(inside)


def test_worker_runs_unprivileged_with_limits(student):
    facts = student.facts()
    if os.getuid() == 0:
        assert facts["uid"] != 0
    assert 0 < facts["cpu"] <= 600
    assert 0 < facts["nproc"] <= 1024
    assert facts["fsize"] == 16 * 1024 * 1024
    assert facts["oom_score_adj"] == 1000, "the OOM killer would not pick the worker first"
    assert all(int(mask, 16) == 0 for mask in facts["capabilities"]), facts["capabilities"]


def test_file_size_limit_gives_an_error_not_a_crash(student):
    with pytest.raises(StudentRaised, match="File too large"):
        student.write_big()


def test_timeout_kills_and_a_fresh_worker_takes_over(student):
    student.timeout = 0.5
    with pytest.raises(StudentTimeout, match="did not return within 0.5 s"):
        student.sleep_forever()
    student.timeout = 5
    assert student.echo(3) == 3


def test_crash_is_reported_and_a_fresh_worker_takes_over(student):
    with pytest.raises(WorkerCrashed, match="SIGABRT|aborted"):
        student.crash()
    assert student.echo("still here") == "still here"


def test_without_namespaces_the_limits_still_hold():
    config = engine.sandbox_config()
    config.use_namespaces = False
    spy = Student(engine.fork_server(), Submission(SPY, "spy.py", "spy"), config, timeout=5)
    try:
        facts = spy.facts()
        assert spy.in_namespaces is False
        assert facts["fsize"] == 16 * 1024 * 1024
        assert facts["cwd"].startswith("/tmp/grader-work-")
        spy.timeout = 0.5
        with pytest.raises(StudentTimeout):
            spy.sleep_forever()
    finally:
        spy.close()


def test_printed_output_is_captured_and_capped(student):
    from grader.student import OUTPUT_CAP

    assert student.shout() == 1
    student.close()  # the drain reads to the end once the worker is gone
    printed = student.output()
    assert printed.startswith("x" * 99)
    assert "more bytes of output dropped" in printed
    assert len(printed) < OUTPUT_CAP + 100


def test_worker_sees_no_file_of_the_course_tree_but_the_grader(student):
    "Only grader/ is bound back: .git (which holds the solutions' history), the course secret, "
    "README and the rest of the course folder stay covered, whether they exist or not."
    student.echo(0)
    if not student.in_namespaces:
        pytest.skip("namespaces are unavailable on this machine; the weaker guard is in use")
    from grader import secret

    secret.course_secret()  # exists now, so covering it is what hides it
    for path in (paths.COURSE_SECRET, paths.COURSE_ROOT / "README.md",
                 paths.COURSE_ROOT / "pyproject.toml", paths.EXERCISES / "exercise3.py"):
        with pytest.raises(StudentRaised, match="No such file|Permission denied"):
            student.read_file(str(path))
    assert "def check(" in student.read_file(str(paths.CHECKS.parent / "check.py"))  # grader/ is in sight
