"""``grade EXERCISE --watch``: grade, then regrade every time the file is saved.

A cold ``grade`` spends about 1.5 s of its 2 s starting Python and importing
torch; the grading itself takes 0.1-0.4 s. This loop pays the import once and
keeps the fork-server and the checks loaded, calling ``engine.grade`` again on
every save (bench/bench_watch.py measures save-to-report latency).

The folder is watched, not the file: editors that save by writing a new file
and renaming it over the old one (vim, JetBrains' "safe write") replace the
inode a file watch would follow. watchfiles reports a batch of changes only
once the folder has been quiet for ``STEP_MS``, so a burst of saves is graded
once, and saves made while a grade runs are graded together after it.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

from grader import engine
from grader.errors import SubmissionError
from grader.results import GradeResult
from grader.submission import default_submission

STEP_MS = 25  # quiet time that ends a burst of saves (an editor writes a file in well under 1 ms)
QUIET_MS = 500  # how often, with no save, the file is compared with what was graded


def changes(previous: GradeResult | None, current: GradeResult) -> list[str]:
    """What differs between two reports, as a teacher would say it: ``softmax 5/8 -> 8/8``."""
    if previous is None:
        return []
    said = []
    if previous.status != current.status:
        said.append(f"{previous.status} -> {current.status}")
    before = {t.name: t for t in previous.tasks}
    for task in current.tasks:
        old = before.get(task.name)
        if old is not None and old.score != task.score:
            said.append(f"{task.name} {old.score:g}/{old.max_score:g} -> {task.score:g}/{task.max_score:g}")
    if previous.score != current.score and len(current.tasks) > 1:
        said.append(f"total {previous.score:g}/{previous.max_score:g} -> "
                    f"{current.score:g}/{current.max_score:g}")
    return said


def _contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _saved(name: str) -> Callable[[watchfiles.Change, str], bool]:
    return lambda change, path: Path(path).name == name


def _grade(exercise: str, submission: Path | None, task: str | None,
           last: GradeResult | None) -> GradeResult:
    try:
        return engine.grade(exercise, submission, task=task)
    except SubmissionError as problem:
        if last is None:
            raise  # nothing to grade at the start is bad usage, as for `grade`
        # The file is gone (mid-rename) or unreadable: say so and wait for the next save.
        return GradeResult.empty(last, last.submission, "missing", str(problem))


class _StopOnCtrlC:
    """The first Ctrl-C stops the loop once the running grade ends; a second one stops it now."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.previous = None

    def _handle(self, signum, frame):
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def watch(exercise: str, submission: Path | None = None, *, task: str | None = None,
          show: Callable[[GradeResult, list[str]], None],
          stop: threading.Event | None = None) -> Path:
    """Grade ``submission`` and hand every report to ``show`` until ``stop`` is set (or Ctrl-C).

    Raises a GraderError before watching, as ``engine.grade`` does; returns the path it watched.
    """
    path = Path(submission) if submission else default_submission(exercise)
    stop = stop or threading.Event()
    with _StopOnCtrlC(stop):
        graded = _contents(path)
        last = _grade(exercise, submission, task, None)
        show(last, [])
        # The watcher starts only now, so a save made during the first grade shows up as a
        # difference from what was graded at the first quiet interval, not as an event.
        saves = watchfiles.watch(path.parent, watch_filter=_saved(path.name), step=STEP_MS,
                                 rust_timeout=QUIET_MS, yield_on_timeout=True,
                                 stop_event=stop, recursive=False, raise_interrupt=False)
        for saved in saves:
            if stop.is_set():
                break
            now = _contents(path)
            if not saved and now == graded:
                continue
            graded = now
            try:
                current = _grade(exercise, submission, task, last)
            except KeyboardInterrupt:
                if stop.is_set():  # a second Ctrl-C, to stop checks that were still running
                    break
                raise
            show(current, changes(last, current))
            last = current
    return path


# -- the two ways a report is shown ------------------------------------------------------

def show_json(result: GradeResult, changed: list[str]) -> None:
    """One result document per line on stdout, and nothing else there."""
    sys.stdout.write(result.to_json() + "\n")
    sys.stdout.flush()


class TerminalView:
    """Each report replaces the last on a terminal; piped, the reports follow each other."""

    def __init__(self, path: Path, console=None):
        from rich.console import Console

        self.path = path
        self.console = console or Console()
        self.first = True

    def __call__(self, result: GradeResult, changed: list[str]) -> None:
        from rich.text import Text

        from grader.report import render

        if self.console.is_terminal:
            self.console.clear()
        else:
            self.console.rule()
        render(result, self.console)
        if changed:
            self.console.print(Text("Since the last save: " + ", ".join(changed), style="bold"))
        elif not self.first:
            self.console.print(Text("Since the last save: no change.", style="dim"))
        self.first = False
        self.console.print(Text(f"Watching {self.path} ({time.strftime('%H:%M:%S')}): "
                                "save it to regrade, Ctrl-C to stop.", style="dim"))
