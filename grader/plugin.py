"""The pytest plugin that runs one exercise's checks against one submission.

It gives every check a ``student`` fixture (a proxy to a worker; the checks of
one task share a worker, and a fresh one replaces any that crashed or hung),
seeds the grader's own randomness per check, and turns each check's outcome
into a CheckResult. Once a check of a task has timed out, the task's other
checks are not run (they would most likely wait out the same endless loop):
each says so, and a hung task costs one timeout, not one per check.
"""

from __future__ import annotations

import pytest

from grader import expected, secret
from grader.catalog import ExerciseEntry
from grader.check import Mistake, check_name, quote_values, take_notes
from grader.forkserver import ForkServer
from grader.results import CheckResult
from grader.sandbox import SandboxConfig
from grader.seeding import seed_torch
from grader.student import Student, StudentProblem, StudentTimeout
from grader.submission import Submission


def classify(exc: BaseException | None) -> tuple[str, str]:
    """(status, feedback) for what a check raised."""
    if exc is None:
        return "passed", ""
    if isinstance(exc, StudentProblem):
        return exc.status, str(exc)
    if isinstance(exc, Mistake):
        return "failed", str(exc)
    if isinstance(exc, AssertionError):
        return "failed", str(exc) or "the answer is not right."
    return "failed", (f"the check could not use what your code returned "
                      f"({type(exc).__name__}: {exc}).")


def runs(item, task: str | None, public_only: bool) -> bool:
    """Whether a collected item is a check that a run for ``task`` (None: all) runs."""
    info = getattr(getattr(item, "function", None), "grader_check", None)
    return info is not None and task in (None, info.task) and not (public_only and info.hidden)


class GradingPlugin:
    def __init__(self, entry: ExerciseEntry, server: ForkServer, submission: Submission,
                 config: SandboxConfig, task: str | None = None,
                 check_timeout: float | None = None, spare: Student | None = None,
                 public_only: bool = False):
        self.entry = entry
        self.task = task
        self.public_only = public_only
        self.check_timeout = check_timeout
        # One worker serves task after task while the code it runs leaves nothing behind in its
        # process (a changed torch function, default dtype, timer, thread...); otherwise the
        # next task gets a fresh one. The first is the worker that already loaded the file.
        self.worker = spare or Student(server, submission, config)
        self.worker.forbidden = {t.name: t.forbidden for t in entry.exercise.tasks if t.forbidden}
        self.worker.parts = {t.name: t.builds_on for t in entry.exercise.tasks if t.builds_on}
        self.worker_task: str | None = None
        self.results: dict[str, CheckResult] = {}
        self.timed_out: dict[str, str] = {}  # task -> the name of its check that timed out
        self.in_namespaces: bool | None = None

    def _student_for(self, task: str, timeout: float) -> Student:
        student = self.worker
        if self.worker_task not in (None, task) and student.leftovers():
            student.close()  # the next call starts a fresh worker
        self.worker_task = task
        student.timeout = timeout
        return student

    @pytest.fixture
    def student(self, request):
        yield from self.provide_student(request)

    def provide_student(self, request):
        info = request.function.grader_check
        if info.task in self.timed_out:
            raise StudentTimeout(f"Not run: your {info.task} did not return in time in the check "
                                 f"'{self.timed_out[info.task]}', so its other checks were skipped "
                                 "rather than each waiting as long.")
        timeout = self.check_timeout or info.timeout or self.entry.exercise.timeout
        student = self._student_for(info.task, timeout)
        student.seed = secret.worker_seed(self.entry.exercise.name, request.function.__name__,
                                          info.hidden)
        yield student
        if student.in_namespaces is not None:
            self.in_namespaces = student.in_namespaces

    def pytest_collection_modifyitems(self, items):
        items[:] = [i for i in items if runs(i, self.task, self.public_only)]

    def pytest_runtest_setup(self, item):
        take_notes()  # nothing a previous check said belongs to this one
        hidden = item.function.grader_check.hidden
        seed_torch(secret.check_seed(self.entry.exercise.name, item.name, hidden))
        expected.begin(self.entry.exercise.name, item.name)
        quote_values(not hidden)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """The check's result, and pytest's report made without its long failure report:
        building that parses the check's source (three quarters of the time a failing
        submission took); feedback comes from the exception alone."""
        excinfo = call.excinfo
        if call.when == "call" or (call.when == "setup" and excinfo is not None):
            status, feedback = classify(excinfo.value if excinfo else None)
            notes = take_notes()
            if status == "passed":
                feedback = notes  # a passed check speaks only to say where a mistake really is
            info = item.function.grader_check
            if status == "timeout" and call.when == "call":
                self.timed_out.setdefault(info.task, check_name(item.function))
            self.results[item.function.__name__] = CheckResult(
                name=check_name(item.function), status=status,
                score=info.points if status == "passed" else 0.0,
                max_score=info.points, feedback=feedback, visibility=info.visibility,
                duration_s=round(call.duration, 3))
        outcome = "passed" if excinfo is None else "failed"
        longrepr = None if excinfo is None else f"{excinfo.typename}: {excinfo.value}"
        return pytest.TestReport(item.nodeid, item.location, {}, outcome, longrepr, call.when,
                                 duration=call.duration, start=call.start, stop=call.stop)

    def pytest_sessionfinish(self):
        quote_values(True)
        self.worker.close()


class KeptSession:
    """One pytest session of an exercise's checks, kept open for submission after submission.

    pytest.main per submission spends about half of the grader's CPU on what is the same every
    time: its configuration, its plugins, the collection of the checks. Here pytest.main runs
    once; its run loop hands control to ``loop``, which grades one submission after another,
    and each ``run`` runs the collected checks again through pytest's own run-test protocol,
    with a fresh GradingPlugin for the submission receiving the hooks.
    """

    def __init__(self, loop, exercise: str, public_only: bool):
        self.loop = loop
        self.exercise, self.public_only = exercise, public_only
        self.current: GradingPlugin | None = None
        self.items: list = []
        self.raised: BaseException | None = None

    @pytest.fixture
    def student(self, request):
        yield from self.current.provide_student(request)

    def pytest_collection_modifyitems(self, items):
        items[:] = [i for i in items if runs(i, None, self.public_only)]

    def pytest_runtest_setup(self, item):
        self.current.pytest_runtest_setup(item)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        return self.current.pytest_runtest_makereport(item, call)

    def pytest_runtestloop(self, session):
        self.items = session.items
        try:
            self.loop()
        except BaseException as exc:  # noqa: BLE001 - raised again once pytest has finished
            self.raised = exc
        return True

    def run(self, plugin: GradingPlugin) -> None:
        """Run the checks ``plugin`` asks for, reporting to it."""
        items = [i for i in self.items if runs(i, plugin.task, plugin.public_only)]
        self.current = plugin
        try:
            for i, item in enumerate(items):
                following = items[i + 1] if i + 1 < len(items) else None
                item.ihook.pytest_runtest_protocol(item=item, nextitem=following)
        finally:
            self.current = None
            plugin.pytest_sessionfinish()
