"""The grading processes of a batch: started, fed one submission at a time, timed, killed
and replaced. The batch hands the pool its jobs and reads back small events.

Why processes, and whose children. pytest.main is not thread-safe, and a grading
process that overruns ``--timeout`` must be killable outright (its fork-server,
keepers and workers die with it through PR_SET_PDEATHSIG). Each grading process
starts a fork-server of its own, then loads the checks (so the workers it forks
hold no answers in their memory) and grades the jobs it is handed.

Grading processes are not forked from the batch process: by the time they are
needed it holds the class (every student's id and path, and on a re-run every
classmate's score and feedback), and a worker forked from it would find all of
that with ``gc.get_objects()``. So ``Pool()`` first forks a *spawner* that knows
nothing of the class, and every grading process is forked from it: call it
before anything about the class is loaded.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import socket
import sys
import time
import traceback
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from grader import catalog, engine, sandbox
from grader.errors import BatchError, GraderError
from grader.results import GradeResult
from grader.submission import Submission

STARTUP_LIMIT_S = 180.0
MAX_ATTEMPTS = 2  # a submission whose grading process dies twice is reported, not retried forever


# -- what the batch hears ------------------------------------------------------------------

@dataclass
class Job:
    student: str
    path: Path
    # The source itself, read where the class is (a cluster's worker has no class folder).
    submission: Submission | None = None


@dataclass
class Ready:
    """The first grading process is up: the exercise's result shape, and its time budget."""

    template: GradeResult
    budget_s: float


@dataclass
class Graded:
    """A result: graded, or not gradable at all (an import_error)."""

    student: str
    result: GradeResult


@dataclass
class Stopped:
    """The pool stopped grading ``student``: ``timeout`` (over the limit) or ``crashed`` (the
    grader itself failed twice), with the sentence the student's document carries."""

    student: str
    check_status: str
    error: str
    elapsed_s: float


@dataclass
class Note:
    """A warning from a grading process (shown once)."""

    message: str


@dataclass
class Tick:
    """Nothing happened for a moment (a display may refresh its clock). ``running``: each
    submission being graded and the seconds it has taken so far."""

    running: tuple[tuple[str, float], ...] = ()


Event = Ready | Graded | Stopped | Note | Tick


# -- a grading process ---------------------------------------------------------------------

class _Forward(logging.Handler):
    """The engine's warnings go to the batch, which shows each once."""

    def __init__(self, conn: Connection):
        super().__init__(logging.WARNING)
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send(("note", record.getMessage()))
        except OSError:
            pass


def _warm_up(notebooks: bool) -> None:
    """Import what the first submission would, so that its --timeout clock is fair.

    After the fork-server has started: every import here enlarges this process,
    and a worker forked from a larger process costs more to fork and to run.
    """
    import pytest  # noqa: F401

    import grader.plugin  # noqa: F401

    if notebooks:
        import grader.notebook  # noqa: F401


def _grade(template: GradeResult, exercise: str, job: Job, hidden: list[Path]) -> tuple:
    started = time.perf_counter()
    try:
        return "result", engine.grade(exercise, job.submission or job.path, label=job.student,
                                      hidden=hidden).to_dict()
    except GraderError as problem:  # the file cannot be graded: the student's row says why
        return "result", GradeResult.empty(template, job.student, "import_error", str(problem),
                                           time.perf_counter() - started).to_dict()
    except Exception as exc:  # noqa: BLE001 - ours, not the student's: retried, then reported
        return "failure", f"{type(exc).__name__}: {exc}"


def _grading_process(conn: Connection, exercise: str, hidden: list[Path], notebooks: bool) -> None:
    """Body of a grading process; never returns."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        log = logging.getLogger("grader")
        log.handlers[:] = [_Forward(conn)]
        log.propagate = False
        # Ours, forked before the checks are loaded below; on one torch thread, as every
        # grading process is (--jobs of them already keep every core busy).
        engine.restart_fork_server()
        _warm_up(notebooks)
        entry = catalog.load(exercise)
        engine.fork_server().preload(entry.exercise.preload)  # before any --timeout clock runs
        template = entry.template()
        gc.collect()
        gc.freeze()  # what this process added to the spawner's frozen heap: pytest, the checks

        def loop():
            conn.send(("ready", template.to_dict(), entry.budget_s))
            while (job := conn.recv()) is not None:
                conn.send(_grade(template, exercise, job, hidden))

        engine.serve(exercise, loop)  # one pytest session for every submission it grades
    except EOFError:
        pass
    except BaseException:  # noqa: BLE001 - anything: say what, and end this process only
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


# -- the spawner: forks grading processes from a state that holds nothing of the class ----

def _spawner(requests: socket.socket, exercise: str) -> None:
    """Body of the spawner; never returns. Forks a grading process per request, kills one
    when asked (only its own live children, so a recycled pid is never hit)."""
    children: set[int] = set()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch handles Ctrl-C for everyone
        sandbox.die_with_parent()
        # torch's heap, frozen once here rather than collected in every grading process (58 ms
        # of CPU each); their fork-servers and workers inherit it frozen, so no collection of
        # theirs walks it (and copies its pages).
        gc.collect()
        gc.freeze()
        while True:
            message, fds, _, _ = socket.recv_fds(requests, 1 << 16, 1)
            if not message:
                break
            request = pickle.loads(message)
            for pid in list(children):  # reap the ones that ended by themselves
                if os.waitpid(pid, os.WNOHANG)[0]:
                    children.discard(pid)
            if request["op"] == "spawn":
                pid = os.fork()
                if pid == 0:
                    requests.close()
                    sandbox.die_with_parent()
                    _grading_process(Connection(fds[0]), exercise, request["hidden"],
                                     request["notebooks"])
                os.close(fds[0])
                children.add(pid)
                requests.sendall(pickle.dumps(pid))
            elif request["op"] == "kill" and request["pid"] in children:
                sandbox.end_child(request["pid"])
                children.discard(request["pid"])
                requests.sendall(pickle.dumps(None))
            else:
                requests.sendall(pickle.dumps(None))
    except (OSError, EOFError):
        pass
    finally:
        os._exit(0)


@dataclass
class _Slot:
    pid: int
    conn: Connection
    born: float
    ready: bool = False
    job: Job | None = None
    started: float = 0.0


class Pool:
    """``jobs`` grading processes for ``exercise``; see the module docstring."""

    def __init__(self, exercise: str, jobs: int, timeout: float | None = None, *,
                 keep: bool = False):
        loaded = [m for m in sys.modules if m.startswith(("grader.checks.", "solutions"))]
        if loaded:  # the grading processes would inherit them, and so every worker
            raise BatchError(f"this process has imported {loaded[0]}; grade batch must run in a "
                             "process that never loaded checks or solutions.")
        self.exercise, self.jobs, self.timeout = exercise, jobs, timeout
        # keep: idle grading processes wait for the next run() (a cluster worker's pool,
        # fed one submission a call) instead of ending when the queue is empty.
        self.keep, self.budget = keep, None
        self.slots: list[_Slot] = []
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.spawner = os.fork()
        if self.spawner == 0:
            ours.close()
            _spawner(theirs, exercise)
        theirs.close()
        self.requests = ours

    def _ask(self, request: dict, fds: list[int] = ()):
        socket.send_fds(self.requests, [pickle.dumps(request)], list(fds))
        return pickle.loads(self.requests.recv(1 << 16))

    def _spawn(self, hidden: list[Path], notebooks: bool) -> None:
        ours, theirs = socket.socketpair()
        try:
            pid = self._ask({"op": "spawn", "hidden": hidden, "notebooks": notebooks},
                            [theirs.fileno()])
        except OSError:
            raise BatchError("the grading processes could not start; nothing more was "
                             "graded.") from None
        finally:
            theirs.close()
        self.slots.append(_Slot(pid, Connection(ours.detach()), time.monotonic()))

    def _kill(self, slot: _Slot) -> None:
        try:
            self._ask({"op": "kill", "pid": slot.pid})
        except OSError:
            pass
        slot.conn.close()
        self.slots.remove(slot)

    def close(self) -> None:
        for slot in list(self.slots):
            self._kill(slot)
        self.requests.close()
        sandbox.end_child(self.spawner)

    def run(self, jobs: list[Job], hidden: list[Path], start: bool = False) -> Iterator[Event]:
        """Grade ``jobs``, yielding events as they happen; ``start``: bring up one grading
        process even with no jobs, for the template it sends (``Ready``)."""
        queue = deque(jobs)
        notebooks = any(j.path.suffix.lower() == ".ipynb" for j in queue)
        attempts: Counter = Counter()
        startup_failures = 0
        while True:
            busy = sum(s.job is not None for s in self.slots)
            wanted = max(min(self.jobs, busy + len(queue)), int(start and self.budget is None))
            for _ in range(wanted - len(self.slots)):
                self._spawn(hidden, notebooks)
            for slot in list(self.slots):
                self._dispatch(slot, queue)
                if slot.ready and slot.job is None and self.budget is not None and not self.keep:
                    self._kill(slot)  # nothing left for it
            if not self.slots or self._idle(queue):
                return
            ready = wait([s.conn for s in self.slots], timeout=0.2)
            for slot in [s for s in self.slots if s.conn in ready]:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    startup_failures += not slot.ready
                    yield from self._lost(slot, queue, attempts, "its process ended unexpectedly")
                    self._kill(slot)
                    continue
                if message[0] == "ready":
                    slot.ready, startup_failures = True, 0
                    if self.budget is None:
                        self.budget = message[2]
                        yield Ready(GradeResult.from_dict(message[1]), self.budget)
                elif message[0] == "note":
                    yield Note(message[1])
                elif message[0] == "result":
                    job, slot.job = slot.job, None
                    self._dispatch(slot, queue)  # keep it busy while this result is written
                    yield Graded(job.student, GradeResult.from_dict(message[1]))
                elif message[0] == "failure":  # start afresh: its state is in doubt
                    yield from self._lost(slot, queue, attempts, message[1])
                    self._kill(slot)
            yield from self._enforce_limits(self.budget)
            now = time.monotonic()
            yield Tick(tuple((s.job.student, now - s.started) for s in self.slots if s.job))
            startup_failures += self._startup_overdue()
            if startup_failures >= 2:
                raise BatchError("the grading processes could not start (see the messages "
                                 "above); nothing more was graded.")

    def _idle(self, queue: deque) -> bool:
        """A kept pool's run is over when every process is up and none has work."""
        return (self.keep and not queue and self.budget is not None
                and all(s.ready and s.job is None for s in self.slots))

    def _dispatch(self, slot: _Slot, queue: deque) -> None:
        if slot.ready and slot.job is None and queue:
            slot.job, slot.started = queue.popleft(), time.monotonic()
            slot.conn.send(slot.job)

    def _lost(self, slot: _Slot, queue: deque, attempts: Counter, why: str) -> Iterator[Event]:
        """The grading process died or failed on its job: retry it once, then report it."""
        job = slot.job
        if job is None:
            return
        attempts[job.student] += 1
        if attempts[job.student] < MAX_ATTEMPTS:
            queue.appendleft(job)
            return
        yield Stopped(job.student, "crashed",
                      f"The grader failed twice while grading this submission ({why}); run the "
                      "batch again to retry it.", time.monotonic() - slot.started)

    def _enforce_limits(self, budget: float | None) -> Iterator[Event]:
        limit = self.timeout or budget or 600
        now = time.monotonic()
        for slot in [s for s in self.slots if s.job is not None and now - s.started > limit]:
            job, elapsed = slot.job, now - slot.started
            self._kill(slot)
            yield Stopped(job.student, "timeout",
                          f"Grading stopped: this submission took longer than the {limit:g} s "
                          "allowed for one submission, so none of its checks count. Look for "
                          "an endless loop or far too much work.", elapsed)

    def _startup_overdue(self) -> int:
        overdue = [s for s in self.slots
                   if not s.ready and time.monotonic() - s.born > STARTUP_LIMIT_S]
        for slot in overdue:
            self._kill(slot)
        return len(overdue)
