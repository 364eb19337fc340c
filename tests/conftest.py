"""Start the fork-server before any test imports a check or a reference solution,
exactly as the `grade` command does. ``graded_class``: the practice class graded once a
session (grading it costs half a minute), for the batch's tests and the class report's."""

import time

import pytest

from grader import engine

engine.fork_server()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The fixture class, graded once without interruption: (folder, out, expected rows,
    the finished process, seconds it took)."""
    from batch_fixture import run_batch, write_class

    root = tmp_path_factory.mktemp("batch")
    folder, out = root / "class", root / "out"
    expected = write_class(folder, out=out)
    started = time.monotonic()
    finished = run_batch(folder, out)
    assert finished.returncode == 0, finished.stderr
    return folder, out, expected, finished, time.monotonic() - started
