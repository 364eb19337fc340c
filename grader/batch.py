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
so a re-run after any interruption grades only what is left.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import torch

from grader import catalog, engine, gradebook, paths
from grader.results import GradeResult

GRADABLE = (".py", ".ipynb")
SKIPPED = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", "node_modules"}
MAX_SUBMISSION_BYTES = 16 * 1024**2
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ZIP_FILES = 100_000
STARTUP_LIMIT_S = 180.0
MAX_ATTEMPTS = 2  # a submission whose grading process dies twice is reported, not retried forever


class BatchError(Exception):
    """The batch cannot run as asked; the message says why, in one sentence."""


# -- finding the submissions -------------------------------------------------------------

@dataclass
class Found:
    """One student: the file to grade, or why there is none."""

    student: str
    path: Path | None
    status: str | None = None  # set when it cannot be graded: "missing" or "import_error"
    problem: str | None = None
    entry: str = ""  # its name in the class folder: alice, alice.py, alice.zip


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")
                  and p.name not in SKIPPED)


def _candidates(folder: Path, depth: int = 0) -> list[Path]:
    """Gradable files under a student's folder. Links are not followed: a student's link
    could point at another student's work or at the solutions."""
    found = []
    for entry in _visible(folder):
        if entry.is_symlink():
            continue
        if entry.is_dir() and depth < 6:
            found += _candidates(entry, depth + 1)
        elif entry.is_file() and entry.suffix.lower() in GRADABLE:
            found.append(entry)
    return found


def _shallowest(files: list[Path]) -> Path:
    # .py before .ipynb, as `grade EXERCISE` does when both exist.
    return min(files, key=lambda p: (len(p.parts), p.suffix.lower() != ".py", str(p)))


def pick_file(folder: Path, exercise: str) -> tuple[Path | None, str | None]:
    """The file of ``exercise`` in one student's folder, or why there is none."""
    files = _candidates(folder)
    exact = [p for p in files if p.name in (f"{exercise}.py", f"{exercise}.ipynb")]
    if exact:
        return _shallowest(exact), None
    alike = [p for p in files if _normal(p.stem) == _normal(exercise)]
    if alike:
        return _shallowest(alike), None
    # nbgrader keeps a notebook in a folder named for the assignment, whatever its own name.
    inside = [p for p in files if any(_normal(part) == _normal(exercise)
                                      for part in p.relative_to(folder).parts[:-1])]
    if len(inside) == 1:
        return inside[0], None
    if len(files) == 1:
        return files[0], None
    reason = f"no {exercise}.py or {exercise}.ipynb in {folder.name}/"
    if files:
        names = ", ".join(str(p.relative_to(folder)) for p in files[:5])
        more = f" and {len(files) - 5} more" if len(files) > 5 else ""
        reason += f" (found {len(files)} other files, which is ambiguous: {names}{more})"
    else:
        reason += " (nothing gradable in it)"
    return None, reason + "."


def extract_zip(archive: Path, into: Path) -> None:
    """Unpack ``archive`` safely: no paths outside ``into``, no links, bounded size."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            infos = zipped.infolist()
            if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
                raise BatchError(f"{archive.name} unpacks to more than {MAX_ZIP_FILES} files or "
                                 f"{MAX_ZIP_BYTES // 1024**3} GiB; unpack it yourself.")
            for info in infos:
                if stat.S_ISLNK(info.external_attr >> 16):
                    continue
                zipped.extract(info, into)  # zipfile drops absolute paths and '..' parts
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BatchError(f"{archive.name} could not be unpacked as a zip file: {exc}.") from None


def _unwrap(root: Path, exercise: str) -> Path:
    """Step into nbgrader's ``submitted/`` and into a zip's lone wrapper folder."""
    entries = _visible(root)
    submitted = root / "submitted"
    if submitted.is_dir() and (len(entries) == 1 or any(
            (root / name).exists() for name in ("source", "release", "autograded", "feedback",
                                                "nbgrader_config.py", "gradebook.db"))):
        return submitted
    if len(entries) == 1 and entries[0].is_dir() and not any(
            p.is_file() and p.suffix.lower() in GRADABLE for p in _visible(entries[0])):
        return _unwrap(entries[0], exercise)
    return root


@dataclass
class ClassFolder:
    """The submissions of a class, found in a folder or a zip of one."""

    found: list[Found]
    ignored: list[str]
    hidden: list[Path]  # what no worker may read: the class's folder and its unpacked copies
    notes: list[str] = field(default_factory=list)


def _needed_by_workers() -> list[Path]:
    return [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, paths.COURSE_ROOT,
                                        Path(catalog.__file__).parent)]


def _can_hide(folder: Path) -> bool:
    folder = folder.resolve()
    return not any(folder == p or folder in p.parents for p in _needed_by_workers())


def find_submissions(source: Path, exercise: str, scratch: Path,
                     exclude: list[Path] = ()) -> ClassFolder:
    """Every student in ``source`` (a folder or a zip): one sub-folder or file each."""
    source = Path(source)
    notes: list[str] = []
    hidden = [scratch]  # unpacked copies of every submission
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise BatchError(f"{source} is neither a folder nor a zip file.")
        root = scratch / "class"
        extract_zip(source, root)
        if _can_hide(source.parent):
            hidden.append(source.parent)
        else:
            notes.append(f"{source.name} lies in a folder the grader itself needs, so workers "
                         "could read it; keep class archives in a folder of their own.")
    else:
        if not _can_hide(source):
            raise BatchError(f"{source} holds the grader itself; put the submissions in a "
                             "folder of their own.")
        root = source
        hidden.append(source)
    root = _unwrap(root, exercise)
    if any(p.name in (f"{exercise}.py", f"{exercise}.ipynb") for p in _visible(root)):
        raise BatchError(f"{root} looks like one student's folder (it holds {exercise} itself); "
                         "give the folder that holds one sub-folder or file per student.")
    excluded = {Path(p).resolve() for p in exclude}
    found, ignored = [], []
    for entry in _visible(root):
        if entry.resolve() in excluded:
            continue
        suffix = entry.suffix.lower()
        if entry.is_dir():
            path, problem = pick_file(entry, exercise)
            found.append(Found(entry.name, path, None if path else "missing", problem, entry.name))
        elif suffix in GRADABLE:
            found.append(Found(entry.stem, entry, entry=entry.name))
        elif suffix == ".zip":
            unpacked = scratch / "students" / entry.name
            try:
                extract_zip(entry, unpacked)
            except BatchError as problem:
                found.append(Found(entry.stem, None, "missing", str(problem), entry.name))
                continue
            path, problem = pick_file(unpacked, exercise)
            found.append(Found(entry.stem, path, None if path else "missing", problem, entry.name))
        else:
            ignored.append(entry.name)
    for item in found:
        if item.path is None:
            continue
        try:
            size = item.path.stat().st_size
            with open(item.path, "rb"):
                pass
        except OSError as exc:
            item.status, item.problem = "import_error", (
                f"{item.path.name} could not be read: {exc.strerror or exc}.")
            continue
        if size > MAX_SUBMISSION_BYTES:
            item.status, item.problem = "import_error", (
                f"{item.path.name} is {size / 1024**2:.0f} MB; a submission is source code, at "
                f"most {MAX_SUBMISSION_BYTES // 1024**2} MB.")
    return ClassFolder(_unique(found), ignored, hidden, notes)


def _unique(found: list[Found]) -> list[Found]:
    """Two entries for one name (alice/ and alice.py) both count, each under its full name."""
    counts = Counter(f.student for f in found)
    for item in found:
        if counts[item.student] > 1:
            item.student = item.entry
    return found


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


class Display:
    """What the batch tells a person while it runs; this one says nothing."""

    def start(self, total: int, kept: int, jobs: int) -> None: ...
    def result(self, document: dict) -> None: ...
    def note(self, message: str) -> None: ...
    def tick(self) -> None: ...
    def finish(self, summary: BatchSummary) -> None: ...
    def interrupted(self, done: int, total: int) -> None: ...


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
    if not _can_hide(out) or out.resolve() in (folder.resolve(), *folder.resolve().parents):
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


# -- telling a person how it goes --------------------------------------------------------

def summary_lines(summary: BatchSummary) -> list[str]:
    each = f" ({summary.elapsed_s / summary.graded_now:.2f} s each)" if summary.graded_now else ""
    lines = [(f"{summary.exercise}: {len(summary.documents)} submissions; this run took "
              f"{summary.graded_now} in {summary.elapsed_s:.1f} s with {summary.jobs} "
              f"jobs{each}; {summary.kept} kept from an earlier run")]
    lines.append("  " + " · ".join(f"{status} {n}" for status, n in sorted(
        summary.statuses.items(), key=lambda item: (item[0] != "graded", item[0]))))
    graded = [d for d in summary.documents if gradebook.row_status(d) == "graded"]
    if graded:
        mean = sum(d["score"] for d in graded) / len(graded)
        lines.append(f"  mean score of graded submissions: {mean:.1f} / "
                     f"{graded[0]['max_score']:g}")
    out = summary.out
    lines.append(f"  wrote {out / gradebook.GRADES}, {out / gradebook.RESULTS}, "
                 f"{out / gradebook.FEEDBACK}/, {out / gradebook.GRADESCOPE}/, "
                 f"{out / gradebook.JUNIT}")
    if summary.ignored:
        lines.append(f"  ignored (not submissions): {', '.join(summary.ignored)}")
    return lines


def _one_line(document: dict) -> str:
    student = gradebook._CONTROL.sub("", document["submission"])
    return (f"{student} {gradebook.row_status(document)} {document['score']:g}/"
            f"{document['max_score']:g} ({document.get('duration_s', 0):.1f} s)")


class LineDisplay(Display):
    """One quiet line per submission: for logs, pipes and CI."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def _say(self, text: str, stream=None) -> None:
        print(text, file=stream or self.stream, flush=True)

    def start(self, total: int, kept: int, jobs: int) -> None:
        self.total, self.done = total, kept
        kept_text = f"; {kept} kept from an earlier run" if kept else ""
        self._say(f"grading {total - kept} of {total} submissions with {jobs} jobs{kept_text}")

    def result(self, document: dict) -> None:
        self.done += 1
        self._say(f"[{self.done:>{len(str(self.total))}}/{self.total}] {_one_line(document)}")

    def note(self, message: str) -> None:
        self._say(f"grade: {message}", sys.stderr)

    def finish(self, summary: BatchSummary) -> None:
        for line in summary_lines(summary):
            self._say(line)

    def interrupted(self, done: int, total: int) -> None:
        self._say(f"interrupted: {done} of {total} submissions are graded and saved; run the "
                  "same command again to grade the rest.", sys.stderr)


class BarDisplay(Display):
    """A progress bar on a terminal: done, left, not graded, rate, time."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console or Console()
        # No refresh thread: the batch forks replacement grading processes while it runs,
        # and forking a process with a second thread risks a lock held forever in the child.
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[left]} left"),
            TextColumn("[red]{task.fields[problems]} not graded"),
            TextColumn("{task.fields[rate]}/min"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=self.console, auto_refresh=False)

    def start(self, total: int, kept: int, jobs: int) -> None:
        self.total, self.done, self.problems, self.now = total, kept, 0, 0
        self.started = time.monotonic()
        self.progress.start()
        self.task = self.progress.add_task(f"grading ({jobs} jobs)", total=total, completed=kept,
                                           left=total - kept, problems=0, rate="-")
        if kept:
            self.console.print(f"{kept} submissions kept from an earlier run")
        self.progress.refresh()

    def result(self, document: dict) -> None:
        from rich.text import Text

        self.done += 1
        self.now += 1
        if gradebook.row_status(document) != "graded":
            self.problems += 1
            self.console.print(Text(_one_line(document), style="yellow"))
        self.tick(advance=1)

    def tick(self, advance: int = 0) -> None:
        elapsed = max(1e-6, time.monotonic() - self.started)
        self.progress.update(self.task, advance=advance, left=self.total - self.done,
                             problems=self.problems, rate=f"{60 * self.now / elapsed:.0f}")
        self.progress.refresh()

    def note(self, message: str) -> None:
        from rich.text import Text

        self.console.print(Text(f"note: {message}", style="yellow"))

    def finish(self, summary: BatchSummary) -> None:
        self.progress.stop()
        for line in summary_lines(summary):
            self.console.print(line, highlight=False, markup=False)

    def interrupted(self, done: int, total: int) -> None:
        self.progress.stop()
        self.console.print(f"interrupted: {done} of {total} submissions are graded and saved; "
                           "run the same command again to grade the rest.", markup=False)


def display_for(stream) -> Display:
    """A progress bar on a terminal, quiet lines when piped."""
    return BarDisplay() if stream.isatty() else LineDisplay(stream)
