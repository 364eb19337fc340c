"""Grading without Click: ``grade(exercise, path)`` returns a GradeResult.

The CLI, the batch grader and ``grade check`` are all calls into this module.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import time
from pathlib import Path

import torch  # noqa: F401  - imported before the fork-server starts, so workers inherit it

from grader import catalog, paths
from grader.forkserver import ForkServer
from grader.results import CheckResult, GradeResult, TaskResult
from grader.sandbox import SandboxConfig
from grader.student import Student, StudentProblem, Submission, probe_path

log = logging.getLogger("grader")
_server: ForkServer | None = None
_warned_about_namespaces = False


class SubmissionError(Exception):
    """The submission cannot be graded at all: the message says why, in one sentence."""


def fork_server() -> ForkServer:
    """The process-wide fork-server, started before any check or solution is imported."""
    global _server
    if _server is None:
        _server = ForkServer()
    return _server


def default_submission(exercise: str, folder: Path | None = None) -> Path:
    folder = Path(folder or Path.cwd()) / "exercises"
    notebook = folder / f"{exercise}.ipynb"
    script = folder / f"{exercise}.py"
    return notebook if notebook.exists() and not script.exists() else script


def read_submission(path: Path, exercise: str) -> Submission:
    if not path.exists():
        raise SubmissionError(f"No submission found at {path}.")
    if path.is_dir():
        raise SubmissionError(f"{path} is a folder; give the path of the exercise's .py file.")
    if path.suffix == ".ipynb":
        from grader.notebook import NotebookError, notebook_source

        try:
            source = notebook_source(path)
        except NotebookError as problem:
            raise SubmissionError(str(problem)) from None
        return Submission(source=source, filename=path.name, module_name=exercise)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path} is not a UTF-8 text file.") from None
    return Submission(source=source, filename=path.name, module_name=exercise)


def sandbox_config(hidden: list[Path] = ()) -> SandboxConfig:
    secrets = [*paths.SECRET_FOLDERS, *hidden]
    return SandboxConfig(hidden=[str(Path(p).resolve()) for p in secrets])


def _note_sandbox(in_namespaces: bool | None) -> None:
    global _warned_about_namespaces
    if in_namespaces is False and not _warned_about_namespaces:
        _warned_about_namespaces = True
        log.warning("Linux namespaces are not available here, so workers are not walled off "
                    "from the file system and network; resource limits still apply.")


def _empty_tasks(entry: catalog.ExerciseEntry, public_only: bool) -> list[TaskResult]:
    return [TaskResult(t.name, 0.0, entry.points(t.name, public_only)) for t in entry.exercise.tasks]


def _run_checks(entry, submission, config, task, check_timeout, spare, public_only):
    import pytest

    from grader.plugin import GradingPlugin

    plugin = GradingPlugin(entry, fork_server(), submission, config, task, check_timeout, spare,
                           public_only)
    # Plugins a grading run has no use for cost time (gc.collect, assertion rewriting).
    unused = ["terminal", "cacheprovider", "warnings", "stepwise", "randomly", "doctest",
              "unraisableexception", "threadexception", "faulthandler", "junitxml", "pastebin",
              "logging"]
    args = ["--pyargs", entry.module_name, "--assert=plain", "-c", os.devnull,
            "--rootdir", str(paths.CHECKS), "-o", "python_files=exercise*.py"]
    for plugin_name in unused:
        args += ["-p", f"no:{plugin_name}"]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # Never report a score for a run that did not happen.
        raise RuntimeError(f"pytest could not run the checks of {entry.module_name} "
                           f"(exit {code}): {printed.getvalue()[-2000:]}")
    return plugin.results, plugin.in_namespaces


def _tally(entry, results: dict[str, CheckResult], task: str | None,
           public_only: bool) -> list[TaskResult]:
    tasks = []
    for declared in entry.exercise.tasks:
        if task is not None and declared.name != task:
            continue
        checks = [results[c.function_name] for c in entry.checks
                  if c.info.task == declared.name and c.function_name in results]
        forbidden = next((c for c in checks if c.status == "forbidden"), None)
        if forbidden is not None:  # a forbidden shortcut anywhere costs the whole task
            for c in checks:
                c.status, c.score, c.feedback = "forbidden", 0.0, forbidden.feedback
        tasks.append(TaskResult(declared.name, sum(c.score for c in checks),
                                entry.points(declared.name, public_only), checks))
    return tasks


def grade(exercise: str, submission: Path | None = None, *, task: str | None = None,
          label: str | None = None, hidden: list[Path] = (),
          check_timeout: float | None = None, public: bool = False) -> GradeResult:
    """Grade one submission of ``exercise``; raises SubmissionError or UnknownExercise.

    ``check_timeout`` overrides every check's own time limit (seconds). ``public`` runs the
    public checks only, exactly what the student kit runs; the result's ``hidden_max_score``
    says how many points that left out. A student kit holds public checks only, so there
    every run is such a run.
    """
    started = time.perf_counter()
    server = fork_server()
    entry = catalog.load(exercise)
    server.preload(entry.exercise.preload)
    if task is not None and task not in [t.name for t in entry.exercise.tasks]:
        names = ", ".join(t.name for t in entry.exercise.tasks)
        raise SubmissionError(f"{exercise} has no task called '{task}'; its tasks are: {names}.")
    path = Path(submission) if submission else default_submission(exercise)
    loaded = read_submission(path, exercise)
    setup = entry.exercise.worker_setup
    loaded.setup = probe_path(setup) if setup else None
    config = sandbox_config(hidden)

    public_only = public or bool(entry.held_back)
    held_back = entry.hidden_points(task) if public_only else 0.0

    def result(status, tasks, error=None):
        score = sum(t.score for t in tasks)
        return GradeResult(exercise, label or str(path), status, score,
                           sum(t.max_score for t in tasks), tasks,
                           round(time.perf_counter() - started, 3), error, held_back)

    probe = Student(server, loaded, config, timeout=check_timeout or entry.exercise.timeout)
    try:
        probe.load()
    except StudentProblem as problem:
        probe.close()
        tasks = [t for t in _empty_tasks(entry, public_only) if task is None or t.name == task]
        return result("import_error", tasks, f"Importing {path.name} failed: {problem}")
    finally:
        _note_sandbox(probe.in_namespaces)
    results, in_namespaces = _run_checks(entry, loaded, config, task, check_timeout, probe,
                                         public_only)
    _note_sandbox(in_namespaces)
    return result("graded", _tally(entry, results, task, public_only))
