"""``grade batch``: a whole class's submissions graded in parallel into a gradebook.

The shape, and why. This process (the *batch*) has imported torch and the
engine but never the checks. It forks ``jobs`` *grading processes*; each
first starts a fork-server of its own - so the workers it forks hold no
answers in their memory - then loads the checks and grades the submissions
it is handed, one at a time, sending each result back as a plain dict.
Processes, not threads: pytest.main is not thread-safe, and a grading process
that overruns ``--timeout`` can be killed outright (its fork-server, keepers
and workers die with it through PR_SET_PDEATHSIG) and replaced.

The batch writes each result durably the moment it arrives (grader.gradebook),
so a re-run after any interruption grades only what is left. Finding the
submissions is grader.classfolder's job; telling a person how it goes,
grader.progress's.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

import torch

from grader import catalog, engine, gradebook, paths
from grader.classfolder import BatchError, Found, can_hide, find_submissions
from grader.progress import Display
from grader.results import GradeResult

STARTUP_LIMIT_S = 180.0
MAX_ATTEMPTS = 2  # a submission whose grading process dies twice is reported, not retried forever

# -- what a result was graded from -------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def checks_digest(exercise: str) -> str:
    """Changes when the exercise's checks change: results graded by older checks are redone."""
    digest = hashlib.sha256()
    for path in (paths.CHECKS / f"{exercise}.py", Path(engine.__file__)):
        digest.update(_sha256(path).encode())
    return digest.hexdigest()[:16]


def fingerprint(item: Found, exercise: str, checks: str) -> str:
    what = f"{item.status}: {item.problem}" if item.status else _sha256(item.path)
    return hashlib.sha256(f"{exercise}\0{checks}\0{what}".encode()).hexdigest()[:24]


# -- result documents the batch makes itself ---------------------------------------------

def _document(template: dict, student: str, status: str, error: str | None,
              check_status: str | None = None, duration: float = 0.0) -> dict:
    """A result with no points: not graded at all, or stopped (every check ``check_status``)."""
    from grader.results import CheckResult, TaskResult

    tasks = [TaskResult(t["name"], 0.0, t["max_score"],
                        [CheckResult(c["name"], check_status, 0.0, c["max_score"], error or "")
                         for c in t["checks"]] if check_status else [])
             for t in template["tasks"]]
    return GradeResult(template["exercise"], student, status, 0.0,
                       sum(t.max_score for t in tasks), tasks, round(duration, 3), error).to_dict()


# -- the grading processes ---------------------------------------------------------------

def _template(entry: catalog.ExerciseEntry) -> dict:
    exercise = entry.exercise
    return {
        "exercise": exercise.name,
        "tasks": [{"name": t.name, "max_score": entry.points(t.name),
                   "checks": [{"name": c.name, "max_score": c.info.points}
                              for c in entry.checks if c.info.task == t.name]}
                  for t in exercise.tasks],
        # Every check running into its own timeout, plus the import: the worst honest case.
        "budget_s": exercise.timeout + sum(c.info.timeout or exercise.timeout
                                           for c in entry.checks),
    }


class _Forward(logging.Handler):
    """The engine's warnings go to the batch, which shows each once."""

    def __init__(self, conn: Connection):
        super().__init__(logging.WARNING)
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send({"warning": record.getMessage()})
        except OSError:
            pass


def _grading_process(conn: Connection, exercise: str, hidden: list[Path], parent: int,
                     notebooks: bool) -> None:
    """Body of a grading process; never returns."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch handles Ctrl-C for everyone
        from grader import sandbox

        sandbox.die_with_parent()
        if os.getppid() != parent:
            os._exit(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        log = logging.getLogger("grader")
        log.handlers[:] = [_Forward(conn)]
        log.propagate = False
        # --jobs processes already keep every core busy: torch's own threads would only
        # spin and wait (half this process's CPU time). Set before the fork-server starts,
        # so its workers inherit it.
        torch.set_num_threads(1)
        engine._server = None  # ours, forked before the checks are loaded below
        engine.fork_server()
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no entry-point scan per submission
        _warm_up(notebooks)
        entry = catalog.load(exercise)
        engine.fork_server().preload(entry.exercise.preload)  # before any --timeout clock runs
        template = _template(entry)
        gc.collect()
        gc.freeze()  # pytest collects garbage after every run: skip the long-lived heap
        conn.send({"hello": template})
        while (job := conn.recv()) is not None:
            conn.send(_grade_one(template, job, hidden))
    except EOFError:
        pass
    except BaseException:  # noqa: BLE001 - anything: say what, and end this process only
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _warm_up(notebooks: bool) -> None:
    """Import what the first submission would, so that its --timeout clock is fair.

    After the fork-server has started: every import here enlarges this process,
    and a worker forked from a larger process costs more to fork and to run.
    """
    import pytest  # noqa: F401

    import grader.plugin  # noqa: F401

    if notebooks:
        import grader.notebook  # noqa: F401


def _grade_one(template: dict, job: dict, hidden: list[Path]) -> dict:
    student = job["student"]
    started = time.perf_counter()
    try:
        result = engine.grade(template["exercise"], Path(job["path"]), label=student,
                              hidden=hidden)
        return {"student": student, "result": result.to_dict()}
    except engine.SubmissionError as problem:
        return {"student": student, "result": _document(
            template, student, "import_error", str(problem),
            duration=time.perf_counter() - started)}
    except Exception as exc:  # noqa: BLE001 - ours, not the student's: retried, then reported
        return {"student": student, "failure": f"{type(exc).__name__}: {exc}"}


@dataclass
class _Slot:
    pid: int
    conn: Connection
    born: float
    ready: bool = False
    job: Found | None = None
    started: float = 0.0


class _Pool:
    def __init__(self, exercise: str, hidden: list[Path], notebooks: bool):
        self.exercise = exercise
        self.hidden = hidden
        self.notebooks = notebooks
        self.slots: list[_Slot] = []

    def spawn(self) -> _Slot:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            ours.close()
            for slot in self.slots:
                slot.conn.close()
            _grading_process(Connection(theirs.detach()), self.exercise, self.hidden,
                             os.getppid(), self.notebooks)
        theirs.close()
        slot = _Slot(pid, Connection(ours.detach()), time.monotonic())
        self.slots.append(slot)
        return slot

    def kill(self, slot: _Slot) -> None:
        try:
            os.kill(slot.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(slot.pid, 0)
        except ChildProcessError:
            pass
        slot.conn.close()
        self.slots.remove(slot)

    def close(self) -> None:
        for slot in list(self.slots):
            self.kill(slot)


# -- the run -----------------------------------------------------------------------------

@dataclass
class BatchSummary:
    exercise: str
    out: Path
    documents: list[dict]
    graded_now: int
    kept: int
    jobs: int
    elapsed_s: float
    ignored: list[str]

    @property
    def statuses(self) -> Counter:
        return Counter(gradebook.row_status(d) for d in self.documents)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def grade_batch(folder: Path, exercise: str, out: Path, *, jobs: int | None = None,
                timeout: float | None = None, force: bool = False,
                display: Display | None = None) -> BatchSummary:
    """Grade every submission in ``folder`` (or a zip) into ``out``; see the module docstring.

    Raises BatchError or catalog.UnknownExercise for bad usage.
    """
    if exercise not in catalog.exercise_names():
        raise catalog.UnknownExercise(f"There is no exercise called '{exercise}'; the exercises "
                                      f"are: {', '.join(catalog.exercise_names())}.")
    display = display or Display()
    folder, out = Path(folder), Path(out)
    if not can_hide(out) or out.resolve() in (folder.resolve(), *folder.resolve().parents):
        raise BatchError(f"{out} would hold the grader or the submissions; choose an output "
                         "folder of its own.")
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="grade-batch-"))
    journal = gradebook.Journal(out)
    try:
        klass = find_submissions(folder, exercise, scratch, exclude=[out])
        if not klass.found:
            raise BatchError(f"no submissions in {folder}: it should hold one sub-folder or "
                             "file (.py, .ipynb or .zip) per student.")
        for message in klass.notes:
            display.note(message)
        out.mkdir(parents=True, exist_ok=True)
        if force:
            journal.clear()
        checks = checks_digest(exercise)
        prints = {f.student: fingerprint(f, exercise, checks) for f in klass.found}
        earlier = journal.load()
        finished: dict[str, gradebook.Finished] = {}
        for f in klass.found:
            old = earlier.get(f.student)
            if old is not None and old.fingerprint is not None and old.fingerprint in (
                    prints[f.student], _stopped_print(prints[f.student], timeout)):
                finished[f.student] = old
        todo = [f for f in klass.found if f.student not in finished]
        jobs = max(1, jobs or default_jobs())
        book = gradebook.Gradebook(out, exercise, [f.student for f in klass.found])
        display.start(len(klass.found), len(finished), jobs)
        graded_now = 0
        if todo:
            journal.open()
            try:
                graded_now = _run_pool(todo, exercise, klass.hidden + [out.resolve()], jobs,
                                       timeout, prints, journal, book, finished, display)
            except KeyboardInterrupt:
                display.interrupted(len(finished), len(klass.found))
                raise
        documents = [finished[f.student].document for f in klass.found]
        journal.close()
        journal.compact({f.student: finished[f.student] for f in klass.found})
        book.write_all(documents)
        summary = BatchSummary(exercise, out, sorted(documents, key=lambda d: gradebook.student_order(
            d["submission"])), graded_now, len(klass.found) - len(todo), jobs,
            time.monotonic() - started, klass.ignored)
        display.finish(summary)
        return summary
    finally:
        journal.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _stopped_print(print_: str, timeout: float | None) -> str:
    """A result stopped by --timeout is kept only by a re-run with the same --timeout."""
    return f"{print_}/stopped-after-{timeout}"


def _run_pool(todo: list[Found], exercise: str, hidden: list[Path], jobs: int,
              timeout: float | None, prints: dict[str, str], journal: gradebook.Journal,
              book: gradebook.Gradebook, finished: dict, display: Display) -> int:
    loaded = [m for m in sys.modules if m.startswith(("grader.checks.", "solutions"))]
    if loaded:  # the fork-servers forked below would inherit them, and so every worker
        raise BatchError(f"this process has imported {loaded[0]}; grade batch must run in a "
                         "process that never loaded checks or solutions.")
    queue = deque(f for f in todo if f.path is not None and f.status is None)
    pool = _Pool(exercise, hidden, any(f.path.suffix.lower() == ".ipynb" for f in queue))
    waiting = [f for f in todo if f not in queue]  # recorded once a template arrives
    attempts: Counter = Counter()
    template: dict | None = None
    warned: set[str] = set()
    startup_failures = 0
    count = 0

    def record(document: dict, print_: str | None) -> None:
        nonlocal count
        journal.record(document, print_)
        finished[document["submission"]] = gradebook.Finished(document, print_)
        book.write_student(document)
        display.result(document)
        count += 1

    def dispatch(slot: _Slot) -> None:
        if slot.ready and slot.job is None and queue:
            slot.job, slot.started = queue.popleft(), time.monotonic()
            slot.conn.send({"student": slot.job.student, "path": str(slot.job.path)})

    def lost(slot: _Slot, why: str) -> None:
        """The grading process died or failed on its job: retry it once, then report it."""
        item = slot.job
        if item is None:
            return
        attempts[item.student] += 1
        if attempts[item.student] < MAX_ATTEMPTS:
            queue.appendleft(item)
            return
        record(_document(template, item.student, "graded",
                         f"The grader failed twice while grading this submission ({why}); "
                         "run the batch again to retry it.", "crashed"), None)

    try:
        for _ in range(max(1, min(jobs, len(queue)))):
            pool.spawn()
        while pool.slots:
            if template is not None:
                for slot in pool.slots:
                    dispatch(slot)
            limit = timeout or (template or {}).get("budget_s", 600)
            for slot in [s for s in pool.slots if s.job is None and s.ready and not queue]:
                pool.kill(slot)  # nothing left for it
            if not pool.slots:
                break
            ready = wait([s.conn for s in pool.slots], timeout=0.2)
            now = time.monotonic()
            for slot in [s for s in pool.slots if s.conn in ready]:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    if not slot.ready:
                        startup_failures += 1
                    lost(slot, "its process ended unexpectedly")
                    pool.kill(slot)
                    continue
                if "hello" in message:
                    slot.ready, startup_failures = True, 0
                    if template is None:
                        template = message["hello"]
                        for item in waiting:
                            record(_document(template, item.student, item.status, item.problem),
                                   prints[item.student])
                elif "warning" in message:
                    if message["warning"] not in warned:
                        warned.add(message["warning"])
                        display.note(message["warning"])
                elif "result" in message:
                    item, slot.job = slot.job, None
                    dispatch(slot)  # keep it busy while this result is written
                    record(message["result"], prints[item.student])
                elif "failure" in message:  # start afresh: its state is in doubt
                    lost(slot, message["failure"])
                    pool.kill(slot)
            for slot in list(pool.slots):
                if slot.job is not None and now - slot.started > limit:
                    item = slot.job
                    pool.kill(slot)
                    error = (f"Grading stopped: this submission took longer than the {limit:g} s "
                             "allowed for one submission, so none of its checks count. Look for "
                             "an endless loop or far too much work.")
                    record(_document(template, item.student, "graded", error, "timeout",
                                     duration=now - slot.started),
                           _stopped_print(prints[item.student], timeout))
                elif not slot.ready and now - slot.born > STARTUP_LIMIT_S:
                    pool.kill(slot)
                    startup_failures += 1
            if startup_failures >= 2:
                raise BatchError("the grading processes could not start (see the messages "
                                 "above); nothing more was graded.")
            busy = len(pool.slots)
            for _ in range(min(jobs - busy, len(queue))):
                pool.spawn()
            if not pool.slots and (queue or (waiting and template is None)):
                pool.spawn()
            display.tick()
    finally:
        pool.close()
    return count

