"""The grader's side of a worker: ``student.softmax(x, dim=1)`` as a remote call.

Arguments travel to the worker; only plain data comes back. Whatever goes
wrong on the other side - an exception, a hang, a crash, an exit, a forbidden
call - arrives here as one of the exceptions below, each carrying the plain
sentence a student should read.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field

from grader import wire
from grader.forkserver import ForkServer, WorkerHandle
from grader.sandbox import SandboxConfig
from grader.submission import Submission

OUTPUT_CAP = 64 * 1024
MAX_FLAGS = 40
# What the student is shown of their own output: its first lines, each cut short.
SHOWN_LINES, SHOWN_WIDTH = 10, 160


class StudentProblem(Exception):
    """Something the submission did; the message is feedback for the student."""

    status = "error"


class StudentRaised(StudentProblem):
    status = "error"

    def __init__(self, message: str, error: dict):
        super().__init__(message)
        self.error = error


class StudentTimeout(StudentProblem):
    status = "timeout"


class WorkerCrashed(StudentProblem):
    status = "crashed"


class ForbiddenCall(StudentProblem):
    status = "forbidden"


def probe_path(probe) -> str:
    """How the worker finds one of the grader's functions: ``module:function``."""
    return f"{probe.__module__}:{probe.__qualname__}"


@dataclass
class Forbidden:
    """Library calls a task may not use, found by what actually ran."""

    ops: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    why: str = ""
    # When set, the only aten ops the task may run (grader/elementary.py): a shortcut that
    # no deny list names is still a shortcut.
    allowed: frozenset[str] | None = None

    def violation(self, functions: list[str], ops: list[str]) -> str | None:
        named = sorted(set(functions) & self.functions)
        hit = sorted(set(ops) & self.ops)
        if named or hit:
            culprit = named[0] if named else hit[0]
            return f"{self.why} Your code called {culprit}, so this task earns no credit."
        unlisted = sorted(set(ops) - self.allowed) if self.allowed is not None else []
        if unlisted:
            return (f"{self.why} Your code ran {unlisted[0]}, which is not one of the elementary "
                    "operations (arithmetic, exp, log, sums, indexing) this task is built from, "
                    "so this task earns no credit.")
        return None


def _describe_exit(status: int | None, what: str) -> str:
    if status is None or status == -signal.SIGKILL:
        return f"{what} was stopped: the worker ran out of memory or was killed."
    if status < 0:
        name = signal.Signals(-status).name
        reasons = {
            "SIGSEGV": "it crashed with a segmentation fault",
            "SIGXCPU": "it used up its CPU-time limit",
            "SIGABRT": "it aborted",
            "SIGBUS": "it crashed (bus error)",
        }
        return f"{what} never answered: {reasons.get(name, f'it was killed by {name}')}."
    if status == 70:
        return f"{what} could not start: the grader's sandbox failed to set up."
    return f"{what} never answered: the process exited with code {status} (did it call exit()?)."


class _OutputDrain(threading.Thread):
    """Reads a worker's stdout/stderr so it never blocks, keeping only the first bytes."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.fd = fd
        self.kept = bytearray()
        self.dropped = 0
        self.newlines = 0  # of everything printed, kept or not
        self.ends_a_line = True  # whether the last byte printed was a newline

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            self.newlines += chunk.count(b"\n")
            self.ends_a_line = chunk.endswith(b"\n")
            room = OUTPUT_CAP - len(self.kept)
            self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - room)
        os.close(self.fd)

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output dropped]"
        return text


@dataclass
class CallRecord:
    """What one call observed besides its value: library calls, mutated arguments."""

    function: str
    functions: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    args_after: list = field(default_factory=list)


class Student:
    """A submission loaded in a worker; attribute access gives its functions."""

    def __init__(
        self,
        server: ForkServer,
        submission: Submission,
        config: SandboxConfig,
        forbidden: dict[str, Forbidden] | None = None,
        timeout: float = 10.0,
        seed: int = 0,
    ):
        self._server = server
        self._submission = submission
        self._config = config
        self.forbidden = forbidden or {}
        # {task: the tasks it builds on}: calls made inside those parts are theirs (worker.py).
        self.parts: dict[str, tuple[str, ...]] = {}
        self.timeout = timeout
        self.seed = seed
        self._worker: WorkerHandle | None = None
        self._drain: _OutputDrain | None = None
        self._drains: list[_OutputDrain] = []  # one per worker this submission has had
        self.last: CallRecord | None = None
        self.in_namespaces: bool | None = None
        # What the integrity monitor saw in any of this submission's workers: (kind, detail).
        self.flags: dict[tuple[str, str], None] = {}

    # -- lifecycle -------------------------------------------------------
    def _start(self) -> WorkerHandle:
        if self._worker is None:
            self._worker = self._server.spawn(self._config)
            self.in_namespaces = self._worker.in_namespaces
            self._drain = _OutputDrain(self._worker.output_fd)
            self._drain.start()
            self._drains.append(self._drain)
            sub = self._submission
            self._request(
                {"op": "load", "source": sub.source, "filename": sub.filename,
                 "name": sub.module_name, "setup": sub.setup, "probes": sub.probes},
                what=f"loading {sub.filename}",
            )
        return self._worker

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        for kill in (lambda: os.kill(worker.worker_pid, signal.SIGKILL),
                     lambda: os.killpg(worker.keeper_pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass
        worker.control.close()
        self._server.reap(worker.keeper_pid)
        if self._drain is not None:
            self._drain.join(timeout=2)

    def leftovers(self) -> list[str]:
        """What the code run so far changed in the worker's process (empty: the worker is
        as it was after loading, fit to serve another task). A dead worker left none."""
        if self._worker is None:
            return []
        try:
            # Honest code leaves nothing running: a worker slow to answer is busy with leftovers.
            return self._request({"op": "changes"}, what="the worker", timeout=2)["value"]
        except StudentProblem as problem:
            return [str(problem)]

    def output(self) -> str:
        """What the submission printed so far (capped)."""
        return self._drain.text() if self._drain else ""

    def printed(self) -> str:
        """One sentence on what the submission printed in all its workers, with its first
        lines (capped), or "" when it printed nothing. Call it after ``close``."""
        lines, head = 0, []
        for drain in self._drains:
            text = drain.kept.decode("utf-8", "replace")
            lines += drain.newlines + (0 if drain.ends_a_line else 1)
            head += text.splitlines()[:SHOWN_LINES - len(head)]
        if not lines:
            return ""
        shown = "\n".join("    " + (line if len(line) <= SHOWN_WIDTH else line[:SHOWN_WIDTH] + " ...")
                          for line in head)
        noun = "line" if lines == 1 else "lines"
        first = "it was" if lines == 1 else ("they were" if lines <= len(head)
                                            else f"the first {len(head)} were")
        return (f"Your code printed {lines:,} {noun} while it was graded (printing slows "
                f"grading down; the grader ignores it); {first}:\n{shown}")

    def load(self) -> None:
        """Load the submission now; raises StudentRaised if its import fails."""
        self._start()

    # -- calls -----------------------------------------------------------
    def _request(self, request: dict, what: str, timeout: float | None = None) -> dict:
        worker = self._worker
        request = {**request, "seed": self.seed}
        timeout = timeout or self.timeout
        deadline = time.monotonic() + timeout
        try:
            worker.control.settimeout(timeout)
            wire.send_request(worker.control, request)
            reply = wire.recv_reply(worker.control, deadline)
            while isinstance(reply, dict) and "ok" not in reply and "flags" in reply:
                self._note_flags(reply["flags"])  # sent the moment the monitor saw something
                reply = wire.recv_reply(worker.control, deadline)
        except TimeoutError:
            self.close()
            raise StudentTimeout(
                f"{what} did not return within {timeout:g} s "
                "(an endless loop, or far too much work?)."
            ) from None
        except (wire.WireError, OSError) as exc:
            if isinstance(exc, wire.WireError) and "decoded" in str(exc):
                self.close()  # the worker may well be alive: it wrote a reply of its own making
                raise WorkerCrashed(f"{what} sent back something the grader cannot read.") from None
            keeper = worker.keeper_pid
            self._worker = None
            worker.control.close()
            status = self._server.reap(keeper)
            raise WorkerCrashed(_describe_exit(status, what)) from None
        if not isinstance(reply, dict):
            self.close()
            raise WorkerCrashed(f"{what} sent back something the grader cannot read.")
        self._note_flags(reply.get("flags"))
        if not reply.get("ok"):
            error = reply.get("error")
            error = {k: v for k, v in error.items() if type(v) is str} if isinstance(error, dict) else {}
            # Capped again here, tighter than the wire does: these land in every check's feedback.
            kind = wire.cap_string(error.get("type", "Exception"), 200)
            message = wire.cap_string(error.get("message", ""), 2000)
            error["traceback"] = wire.cap_string(error.get("traceback", ""), 6000)
            if kind == "NotDefined":
                name = message.strip("'\"")
                raise StudentRaised(f"your file defines no {name}: write def {name}(...) as the "
                                    "exercise's stub does.", error)
            if kind == "NotImplementedError":
                raise StudentRaised(f"{what} is not implemented yet (it raises NotImplementedError).",
                                    error)
            text = f"{what} raised {kind}: {message}".rstrip(": ")
            if error.get("traceback"):
                text += "\n" + error["traceback"].rstrip()
            raise StudentRaised(self._as_the_student_sees_it(text), error)
        return reply

    def _note_flags(self, flags) -> None:
        for flag in flags if isinstance(flags, list) else []:
            if isinstance(flag, dict) and len(self.flags) < MAX_FLAGS:
                kind, detail = flag.get("kind"), flag.get("detail", "")
                if type(kind) is str and type(detail) is str:
                    self.flags[(wire.cap_string(kind, 60), wire.cap_string(detail, 300))] = None

    def _as_the_student_sees_it(self, text: str) -> str:
        """A notebook's lines are cited by cell ("cell 5, line 4"), as Jupyter shows them."""
        sub = self._submission
        if not sub.filename.endswith(".ipynb"):
            return text
        from grader.notebook import cite_cells

        return cite_cells(text, sub.source, sub.filename)

    def _checked(self, function: str, reply: dict) -> None:
        self.last = CallRecord(function, reply.get("functions", []), reply.get("ops", []),
                               reply.get("args_after", []))
        rule = self.forbidden.get(function)
        if reply.get("tampered") is not False:
            # What the worker reports can only be trusted while the grader's code there is as
            # the grader left it.
            raise ForbiddenCall(f"{rule.why + ' ' if rule else ''}While your {function} ran, "
                                "the grader's code in its process (the record of library calls "
                                "or a probe) was switched off or changed, so this task earns "
                                "no credit.")
        if rule is not None:
            problem = rule.violation(self.last.functions, self.last.ops)
            if problem:
                raise ForbiddenCall(problem)

    def call(self, function: str, *args, **kwargs):
        """Call the submission's ``function`` with plain-data arguments; return plain data."""
        reply = self._call(function, args, kwargs)
        self._checked(function, reply)
        return reply["value"]

    def call_part(self, function: str, *args, **kwargs):
        """``call``, for a part another task is built from: its forbidden calls are judged
        in its own task's checks, not here."""
        return self._call(function, args, kwargs)["value"]

    def _call(self, function: str, args: tuple, kwargs: dict) -> dict:
        self._start()
        return self._request(
            {"op": "call", "function": function, "args": args, "kwargs": kwargs,
             "parts": self.parts.get(function, ())},
            what=f"your {function}",
        )

    def probe(self, probe, *args, task: str, judged: bool = True, **kwargs):
        """Run one of the grader's probes (a function in ``grader.probes``) in the worker.

        ``task`` names the student function the probe exercises: its forbidden
        calls apply (unless ``judged`` is False: a part another task's recipe uses
        is judged in its own checks), and messages speak of it.
        """
        self._start()
        reply = self._request(
            {"op": "probe", "probe": probe_path(probe),
             "args": args, "kwargs": kwargs, "parts": self.parts.get(task, ())},
            what=f"your {task}",
        )
        if judged:
            self._checked(task, reply)
        return reply["value"]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)
