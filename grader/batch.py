"""``grade batch``: a whole class's submissions graded in parallel into a gradebook.

It reads as its steps: find the class's submissions (grader.classfolder),
fingerprint each (what it was graded from), keep what the journal already
holds for an unchanged fingerprint (grader.journal), grade the rest in the
pool's grading processes (grader.pool), and write the gradebook and exports
(grader.gradebook) - each result the moment it arrives, everything again at
the end. grader.progress tells the person who started it how it goes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from grader import catalog, classreport, gradebook
from grader.classfolder import Found, can_hide, find_submissions
from grader.errors import BatchError, UnknownExercise
from grader.journal import RESULTS, Finished, Journal, read_lines, student_order
from grader.pool import Graded, Job, Note, Pool, Ready, Stopped, Tick
from grader.progress import Display
from grader.results import BatchSummary, GradeResult
from grader.roster import apply_roster, read_roster
from grader.sources import grader_digest as _digest_of
from grader.sources import sha256 as _sha256

GRADER_PACKAGE = Path(catalog.__file__).resolve().parent


# -- what a result was graded from -----------------------------------------------------------

def grader_digest() -> str:
    """Changes when anything that decides a score changes (see grader.sources)."""
    return _digest_of(GRADER_PACKAGE)


def fingerprint(item: Found, exercise: str, grader: str) -> str:
    """What ``item``'s result was graded from: its bytes (or why it has none), the grader."""
    what = f"{item.status}: {item.problem}" if item.status else _sha256(item.path)
    return hashlib.sha256(f"{exercise}\0{grader}\0{what}".encode()).hexdigest()[:24]


def _stopped_print(print_: str, timeout: float | None) -> str:
    """A result stopped by --timeout is kept only by a re-run with the same --timeout."""
    return f"{print_}/stopped-after-{timeout}"


def _kept(earlier: Finished | None, print_: str, timeout: float | None) -> bool:
    return earlier is not None and earlier.fingerprint in (print_, _stopped_print(print_, timeout))


# -- the run ---------------------------------------------------------------------------------

def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _check_arguments(folder: Path, exercise: str, out: Path) -> None:
    if exercise not in catalog.exercise_names():
        raise UnknownExercise(f"There is no exercise called '{exercise}'; the exercises are: "
                              f"{', '.join(catalog.exercise_names())}.")
    if not can_hide(out) or out.resolve() in (folder.resolve(), *folder.resolve().parents):
        raise BatchError(f"{out} would hold the grader or the submissions; choose an output "
                         "folder of its own.")


def _check_out_holds_this_exercise(out: Path, exercise: str, force: bool) -> None:
    """An OUT that holds another exercise's gradebook is not silently replaced."""
    others = {d.get("exercise") for d in read_lines(out / RESULTS)} - {exercise}
    if others and not force:
        raise BatchError(f"{out} holds the gradebook of {', '.join(sorted(map(str, others)))}; "
                         f"choose another --out for {exercise}, or pass --force to replace it.")


def _graded_file(item: Found, folder: Path, scratch: Path) -> str:
    """The graded file, as the instructor finds it: relative to the class folder (or to the
    unpacked archive, for a zip)."""
    if item.path is None:
        return ""
    if item.file:  # copied from an LMS download: the download's own name
        return _graded_file(Found(item.student, Path(item.file)), folder, scratch)
    for base in (folder, scratch / "class", scratch / "students"):
        try:
            return item.path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return item.path.name


def _about(klass, folder: Path, scratch: Path) -> dict[str, gradebook.Submitter]:
    return {f.student: gradebook.Submitter(f.name, f.late, _graded_file(f, folder, scratch))
            for f in klass.found}


def grade_batch(folder: Path, exercise: str, out: Path, *, jobs: int | None = None,
                timeout: float | None = None, force: bool = False,
                display: Display | None = None, roster: Path | None = None,
                scheduler: str | None = None) -> BatchSummary:
    """Grade every submission in ``folder`` (or a zip) into ``out``; see the module docstring.
    With ``roster`` (a CSV of the class) every student on it gets a row.

    ``scheduler``: grade on that Dask scheduler (``tcp://host:8786``) or ``local:N`` Dask
    workers (grader.cluster) instead of ``jobs`` processes here.

    Raises a GraderError (BatchError, UnknownExercise) for bad usage.
    """
    folder, out, display = Path(folder), Path(out), display or Display()
    _check_arguments(folder, exercise, out)
    _check_out_holds_this_exercise(out, exercise, force)
    started = time.monotonic()
    if scheduler:  # Dask workers are spawned afresh or elsewhere: only the sources sent reach them
        from grader.cluster import Cluster

        pool = Cluster(exercise, scheduler, timeout)
    else:
        pool = Pool(exercise, max(1, jobs or default_jobs()), timeout)  # first: see grader.pool
    jobs = pool.jobs
    scratch = Path(tempfile.mkdtemp(prefix="grade-batch-"))
    journal = Journal(out)
    try:
        klass = find_submissions(folder, exercise, scratch, exclude=[out])
        if not klass.found:
            raise BatchError(f"no submissions in {folder}: it should hold one sub-folder or "
                             "file (.py, .ipynb or .zip) per student.")
        not_on_roster = []
        if roster is not None:
            klass.found, not_on_roster = apply_roster(klass.found, read_roster(roster))
        for message in klass.notes:
            display.note(message)
        out.mkdir(parents=True, exist_ok=True)
        if force:
            gradebook.forget(out)
        grader = grader_digest()
        prints = {f.student: fingerprint(f, exercise, grader) for f in klass.found}
        earlier = journal.load()
        finished = {f.student: earlier[f.student] for f in klass.found
                    if _kept(earlier.get(f.student), prints[f.student], timeout)}
        todo = [f for f in klass.found if f.student not in finished]
        book = gradebook.Gradebook(out, exercise, [f.student for f in klass.found],
                                   _about(klass, folder, scratch))
        display.start(len(klass.found), len(finished), jobs)
        if todo:
            journal.open()
            try:
                _grade(pool, todo, klass.hidden + [out.resolve()], timeout, prints, journal,
                       book, finished, display)
            except KeyboardInterrupt:
                display.interrupted(len(finished), len(klass.found))
                raise
        results = sorted((finished[f.student].result for f in klass.found),
                         key=lambda r: student_order(r.submission))
        journal.close()
        journal.compact({f.student: finished[f.student] for f in klass.found})
        book.write_all(results)
        # the report's similarity needs the code: kept in OUT so `grade report` can rebuild it
        sources = classreport.read_sources({f.student: f.path for f in klass.found
                                            if f.path is not None and f.status is None}, exercise)
        report = classreport.write_report(out, results, book.names, sources)
        summary = BatchSummary(exercise, out, results, len(todo), len(klass.found) - len(todo),
                               jobs, time.monotonic() - started, klass.ignored, not_on_roster,
                               report=report.path, similar=report.similar)
        display.finish(summary)
        return summary
    finally:
        pool.close()
        journal.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _grade(pool: Pool, todo: list[Found], hidden: list[Path], timeout: float | None,
           prints: dict[str, str], journal: Journal, book: gradebook.Gradebook,
           finished: dict[str, Finished], display: Display) -> None:
    """Grade ``todo`` in the pool, recording every result the moment it arrives."""
    jobs = [Job(f.student, f.path) for f in todo if f.path is not None and f.status is None]
    not_gradable = [f for f in todo if f.path is None or f.status is not None]
    warned: set[str] = set()
    template: GradeResult | None = None

    def record(result: GradeResult, print_: str | None) -> None:
        journal.record(result, print_)
        finished[result.submission] = Finished(result, print_)
        book.write_student(result)
        display.result(result)

    # Nothing to grade still needs the exercise's shape, which only a grading process
    # (one that may load the checks) can tell: ask for one.
    for event in pool.run(jobs, hidden, start=bool(not_gradable)):
        if isinstance(event, Ready):
            template = book.template = event.template
            for item in not_gradable:
                record(GradeResult.empty(event.template, item.student, item.status, item.problem),
                       prints[item.student])
        elif isinstance(event, Graded):
            record(event.result, prints[event.student])
        elif isinstance(event, Stopped):
            result = GradeResult.stopped(template, event.student, event.check_status,
                                         event.error, event.elapsed_s)
            # a grader failure is graded again next run; a timeout only with another --timeout
            record(result, None if event.check_status == "crashed"
                   else _stopped_print(prints[event.student], timeout))
        elif isinstance(event, Note) and event.message not in warned:
            warned.add(event.message)
            display.note(event.message)
        display.tick(running=event.running if isinstance(event, Tick) else ())
