"""grade EXERCISE --watch: a regrade on every save, through the command a student runs."""

import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from grader import paths
from grader.cli import cli
from grader.results import GradeResult, TaskResult
from grader.watch import TerminalView, changes
from helpers import with_reference

GRADE = [sys.executable, "-m", "grader.cli"]
CLEAR_SCREEN = "\x1b[2J"
WRONG_SOFTMAX = (paths.MUTANTS / "exercise3" / "softmax_wrong_dim.py").read_text()


def result(status="graded", **scores) -> GradeResult:
    tasks = [TaskResult(name, score, 8.0) for name, score in scores.items()]
    return GradeResult("exercise3", "f.py", status, sum(scores.values()), 8.0 * len(tasks), tasks)


def test_changes_name_each_task_whose_score_moved_and_the_total():
    before, after = result(softmax=5, sigmoid=8), result(softmax=8, sigmoid=8)
    assert changes(before, after) == ["softmax 5/8 -> 8/8", "total 13/16 -> 16/16"]
    assert changes(None, after) == []
    assert changes(after, after) == []


def test_changes_say_when_the_file_stopped_importing():
    assert changes(result(softmax=8), result("import_error", softmax=0)) == [
        "graded -> import_error", "softmax 8/8 -> 0/8"]


def test_on_a_terminal_each_report_replaces_the_last():
    screen = io.StringIO()
    view = TerminalView(Path("exercises/exercise3.py"),
                        Console(file=screen, force_terminal=True, width=100))
    view(result(softmax=5), [])
    view(result(softmax=8), ["softmax 5/8 -> 8/8"])
    first, second = screen.getvalue().split(CLEAR_SCREEN)[1:]
    assert "Since the last save" not in first and "Watching exercises/exercise3.py" in first
    assert "Since the last save: softmax 5/8 -> 8/8" in second


class Watching:
    """A ``grade --watch`` process whose stdout lines can be awaited one at a time."""

    def __init__(self, *args):
        self.process = subprocess.Popen([*GRADE, *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def next_line(self, timeout=60.0) -> str:
        return self.lines.get(timeout=timeout)

    def line_containing(self, text, timeout=60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            if text in line:
                return line

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=30)
        finally:
            self.process.kill()
        return code, self.process.stderr.read()


def save_by_renaming(path, source):
    """How vim and JetBrains editors save: a new file renamed over the old one."""
    temporary = path.with_name(path.name + ".swp")
    temporary.write_text(source)
    os.replace(temporary, path)


@pytest.mark.slow
def test_watch_json_regrades_each_save_wrong_broken_right(tmp_path):
    path = tmp_path / "exercise3.py"
    path.write_text((paths.EXERCISES / "exercise3.py").read_text())
    watching = Watching("exercise3", "--watch", "--json", "--submission", str(path))
    try:
        first = json.loads(watching.next_line())
        assert (first["status"], first["score"]) == ("graded", 0.0)

        path.write_text(with_reference("exercise3", WRONG_SOFTMAX))
        wrong = json.loads(watching.next_line())
        softmax = next(t for t in wrong["tasks"] if t["name"] == "softmax")
        assert wrong["status"] == "graded" and softmax["score"] < softmax["max_score"]
        assert 0 < wrong["score"] < wrong["max_score"]

        path.write_text("def softmax(x, dim=-1)\n    return x\n")
        broken = json.loads(watching.next_line())
        assert broken["status"] == "import_error" and "SyntaxError" in broken["error"]

        # A burst of saves ending in a rename-over save is graded once, as it ends. The watch
        # is paused through the burst, so however busy this machine, it sees the burst whole.
        watching.process.send_signal(signal.SIGSTOP)
        for _ in range(5):
            path.write_text("# half-written\n")
        save_by_renaming(path, (paths.SOLUTIONS / "exercise3.py").read_text())
        watching.process.send_signal(signal.SIGCONT)
        right = json.loads(watching.next_line())
        assert (right["status"], right["score"]) == ("graded", right["max_score"])
        try:
            extra = watching.next_line(timeout=1.5)
        except queue.Empty:
            extra = None
        assert extra is None, f"one burst of saves was graded twice: {extra[:200]}"
    finally:
        code, stderr = watching.stop()
    assert code == 0
    assert stderr.strip().splitlines() == [f"Stopped watching {path}."]


@pytest.mark.slow
def test_watch_in_a_terminal_says_what_changed_and_waits_out_a_vanished_file(tmp_path):
    path = tmp_path / "exercise3.py"
    path.write_text((paths.EXERCISES / "exercise3.py").read_text())
    watching = Watching("exercise3", "--watch", "--task", "softmax", "--submission", str(path))
    try:
        watching.line_containing("Watching")
        path.unlink()  # a save that deletes first and writes a moment later
        assert "No submission found" in watching.line_containing("missing")
        watching.line_containing("Watching")
        path.write_text((paths.SOLUTIONS / "exercise3.py").read_text())
        assert "softmax 0/8 -> 8/8" in watching.line_containing("Since the last save")
    finally:
        code, stderr = watching.stop()
    assert code == 0 and "Traceback" not in stderr


def test_watch_refuses_bad_usage_with_one_sentence(tmp_path):
    for args, sentence in [
        (["exercize3", "--watch"], "There is no exercise called 'exercize3'"),
        (["exercise3", "--watch", "--submission", str(tmp_path / "none.py")], "No submission found"),
        (["exercise3", "--watch", "--fail-under", "50"], "cannot be combined with --watch"),
    ]:
        outcome = CliRunner().invoke(cli, args)
        assert outcome.exit_code == 2, outcome.output
        assert sentence in outcome.output and "Traceback" not in outcome.output
