"""Grading without Click: ``grade(exercise, path)`` returns a GradeResult.

The CLI, the batch's grading processes and ``grade check`` are all calls into
this module.
"""

from __future__ import annotations

import ast
import contextlib
import io
import logging
import os
import time
from pathlib import Path

import torch  # imported before the fork-server starts, so workers inherit it

from grader import catalog, cuda, paths, secret
from grader.errors import GraderError, SubmissionError, UnknownExercise
from grader.forkserver import ForkServer
from grader.results import CheckResult, Flag, GradeResult, TaskResult
from grader.sandbox import Limits, SandboxConfig
from grader.student import Student, StudentProblem, probe_path
from grader.submission import Submission, default_submission, read_submission

__all__ = ["grade", "serve", "fork_server", "restart_fork_server", "sandbox_config", "SubmissionError",
           "UnknownExercise", "GraderError"]

log = logging.getLogger("grader")
_server: ForkServer | None = None
_kept = None  # the KeptSession of serve(), while it runs
_warned_about_namespaces = False

# Plugins a grading run has no use for cost time: each is scanned for fixtures on every run
# (gc.collect, assertion rewriting, logging...; leaving out the last eleven took the grader's
# CPU per exercise3 grade from 54 to 41 ms).
# Installed plugins are never loaded (PYTEST_DISABLE_PLUGIN_AUTOLOAD): a plugin on one machine
# and not on another must not grade the same submission differently.
_UNUSED_PLUGINS = ("terminal", "cacheprovider", "warnings", "stepwise", "doctest",
                   "unraisableexception", "threadexception", "faulthandler", "junitxml",
                   "pastebin", "logging", "debugging", "unittest", "legacypath", "tmpdir",
                   "monkeypatch", "recwarn", "setuponly", "setupplan", "subtests", "capture",
                   "assertion", "skipping", "reports")


def fork_server() -> ForkServer:
    """The process-wide fork-server, started before any check or solution is imported.

    Starting it makes this process a grader, whose own tensors are tiny (expected values
    for a check): torch's thread pool only costs them time, 27 ms of wall time for each
    first softmax on a busy 2-core machine against 0.1 ms on one thread.
    """
    global _server
    if _server is None:
        torch.set_num_threads(1)
        _server = ForkServer()
    return _server


def restart_fork_server() -> ForkServer:
    """A fork-server of this process's own (a grading process forked from another process
    must not share its parent's)."""
    global _server
    _server = None
    return fork_server()


def sandbox_config(hidden: list[Path] = (), with_cuda: bool = False) -> SandboxConfig:
    """The walls of this grading's workers; ``with_cuda``: they run CUDA (see Limits.cuda)."""
    secrets = [*paths.SECRET_FOLDERS, *hidden]
    return SandboxConfig(Limits(cuda=with_cuda), hidden=[str(Path(p).resolve()) for p in secrets])


def runs_cuda(exercise) -> bool:
    """A GPU exercise graded where this process was told there is a GPU (grader/cuda.py)."""
    return "GPU" in exercise.resources and cuda.requested()


def _note_sandbox(in_namespaces: bool | None) -> None:
    global _warned_about_namespaces
    if in_namespaces is False and not _warned_about_namespaces:
        _warned_about_namespaces = True
        log.warning("Linux namespaces are not available here, so workers are not walled off "
                    "from the file system and network; resource limits still apply.")


@contextlib.contextmanager
def _no_plugin_autoload():
    old = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = old


def _pytest_args(entry) -> list[str]:
    # --noconftest: pytest would otherwise import conftest.py from test* folders of the
    # folder `grade` runs in (a course's tests/, or a student's own) into this process.
    args = ["--pyargs", entry.module_name, "-c", os.devnull, "--noconftest",
            "--rootdir", str(paths.CHECKS), "-o", "python_files=exercise*.py"]
    for plugin_name in _UNUSED_PLUGINS:
        args += ["-p", f"no:{plugin_name}"]
    return args


def _pytest(entry, plugin) -> None:
    """pytest.main on ``entry``'s checks, with ``plugin`` receiving the hooks."""
    import pytest

    with _no_plugin_autoload(), contextlib.redirect_stdout(io.StringIO()) as printed:
        code = pytest.main(_pytest_args(entry), plugins=[plugin])
    if code == pytest.ExitCode.INTERRUPTED:  # Ctrl-C reached pytest first: it is still Ctrl-C
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # Never report a score for a run that did not happen.
        raise RuntimeError(f"pytest could not run the checks of {entry.module_name} "
                           f"(exit {code}): {printed.getvalue()[-2000:]}")


def serve(exercise: str, loop, public: bool = False) -> None:
    """Run ``loop()`` with one pytest session of ``exercise``'s checks kept open: every
    ``grade`` of that exercise it makes (all tasks, the same ``public``) reuses the session
    instead of starting pytest afresh. For a process that grades many submissions."""
    from grader.plugin import KeptSession

    global _kept
    entry = catalog.load(exercise)
    kept = _kept = KeptSession(loop, exercise, public or bool(entry.held_back))
    try:
        _pytest(entry, kept)
    finally:
        _kept = None
    if kept.raised is not None:  # what loop() raised, as it raised it
        raise kept.raised


def _run_checks(entry, submission, config, task, check_timeout, first_worker, public_only):
    from grader.plugin import GradingPlugin

    plugin = GradingPlugin(entry, fork_server(), submission, config, task, check_timeout,
                           first_worker, public_only)
    if _kept is not None and (_kept.exercise, _kept.public_only) == (entry.exercise.name,
                                                                     public_only):
        _kept.run(plugin)
    else:
        _pytest(entry, plugin)
    return plugin.results, plugin.in_namespaces


def _tally(entry, results: dict[str, CheckResult], task: str | None,
           public_only: bool) -> list[TaskResult]:
    tasks = []
    for name in entry.task_names():
        if task not in (None, name):
            continue
        checks = [results[c.function_name] for c in entry.checks
                  if c.info.task == name and c.function_name in results]
        forbidden = next((c for c in checks if c.status == "forbidden"), None)
        if forbidden is not None:  # a forbidden shortcut anywhere costs the whole task
            checks = [CheckResult(c.name, "forbidden", 0.0, c.max_score, forbidden.feedback,
                                  c.visibility, c.duration_s) for c in checks]
        tasks.append(TaskResult(name, sum(c.score for c in checks), entry.points(name, public_only),
                                checks))
    return tasks


def grade(exercise: str, submission: Path | Submission | None = None, *, task: str | None = None,
          label: str | None = None, hidden: list[Path] = (),
          check_timeout: float | None = None, public: bool = False) -> GradeResult:
    """Grade one submission of ``exercise``; raises a GraderError for what cannot be graded.

    ``submission``: a path, or a Submission already read (by the machine that has the file).
    ``check_timeout`` overrides every check's own time limit (seconds). ``public`` runs the
    public checks only, exactly what the student kit runs; the result's ``hidden_max_score``
    says how many points that left out. A student kit holds public checks only, so there
    every run is such a run.
    """
    started = time.perf_counter()
    server = fork_server()
    entry = catalog.load(exercise)
    server.preload(entry.exercise.preload)
    if task not in (None, *entry.task_names()):
        raise UnknownExercise(f"{exercise} has no task called '{task}'; its tasks are: "
                              f"{', '.join(entry.task_names())}.")
    if isinstance(submission, Submission):
        loaded, path = submission, Path(submission.filename)
    else:
        path = Path(submission) if submission else default_submission(exercise)
        if submission is None and not path.exists():
            raise SubmissionError(f"There is no {path.name} in {path.parent}: run grade in your "
                                  "course folder, the one that holds exercises/, or give "
                                  "--submission PATH.")
        loaded = read_submission(path, exercise)
    setup = entry.exercise.worker_setup
    loaded.setup = probe_path(setup) if setup else None
    loaded.probes = tuple(entry.probe_modules)
    config = sandbox_config(hidden, runs_cuda(entry.exercise))
    # A student kit's check modules hold public checks only (and say what they held back).
    public_only = public or bool(entry.held_back)
    if not public_only and entry.hidden_points(task):
        secret.course_secret()  # can it be read? say so now, not as every hidden check's failure
    template = entry.template(task, public_only)
    label = label or str(path)

    first_worker = Student(server, loaded, config, timeout=check_timeout or entry.exercise.timeout)
    try:
        first_worker.load()
    except StudentProblem as problem:
        first_worker.close()
        failed = GradeResult.empty(template, label, "import_error",
                                   f"Importing {path.name} failed: {problem}",
                                   time.perf_counter() - started)
        failed.printed = first_worker.printed()
        failed.flags = _flags(first_worker)
        return failed
    finally:
        _note_sandbox(first_worker.in_namespaces)
    results, in_namespaces = _run_checks(entry, loaded, config, task, check_timeout, first_worker,
                                         public_only)
    _note_sandbox(in_namespaces)
    tasks = _tally(entry, results, task, public_only)
    score = sum(t.score for t in tasks)
    error = None
    if score == 0 and not defines_any(loaded.source, entry.task_names()):
        error = (f"{path.name} defines none of the tasks of {exercise} "
                 f"({', '.join(entry.task_names())}): is it the right file, and is it saved?")
    return GradeResult(exercise, label, "graded", score, template.max_score, tasks,
                       round(time.perf_counter() - started, 3), error, template.hidden_max_score,
                       flags=_flags(first_worker), printed=first_worker.printed())


def _flags(first_worker: Student) -> list[Flag]:
    """What the integrity monitor saw in any of the submission's workers: the plugin's
    workers are all served by the first one, which collects the flags of every reply."""
    return [Flag(kind, detail) for kind, detail in first_worker.flags]


def defines_any(source: str, names: list[str]) -> bool:
    """Whether the module's own top level binds any of ``names`` (read, not run)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return True  # it loaded, so Python could read it: say nothing rather than guess
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return "*" in bound or bool(bound & set(names))
