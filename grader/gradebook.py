"""What ``grade batch`` leaves in its output folder: the gradebook and the exports.

Each is made from ``GradeResult``s: ``grades.csv`` (one row per student,
with a byte-order mark so that spreadsheets read "zoë" right),
``feedback/<student>.md`` (the student's report), ``gradescope/<student>/results.json``
(grader.gradescope's format) and ``junit.xml``. Per-student files are written as results arrive, the rest
at the end of a run, sorted by student. Everything a student wrote (their id,
messages, printed output) is made safe for where it lands: spreadsheet
formulas neutralised in the CSV, Markdown and HTML escaped in the feedback,
control characters dropped everywhere (XML escapes the rest itself).
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from grader import gradescope
from grader.journal import RESULTS, STATE, atomic_write, student_order
from grader.results import GradeResult

GRADES = "grades.csv"
JUNIT = "junit.xml"
FEEDBACK = "feedback"
GRADESCOPE = "gradescope"
OUR_FILES = (RESULTS, STATE, GRADES, JUNIT)
OUR_FOLDERS = (FEEDBACK, GRADESCOPE)

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Excel reads a CSV as UTF-8 only when it starts with this.
BOM = "\ufeff"
# A spreadsheet evaluates a cell that starts with one of these as a formula, quoted or not.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str | None) -> str:
    """``text`` without control characters (a terminal's or a viewer's escape codes)."""
    return CONTROL.sub("", text or "")


def cell(text: str) -> str:
    """A CSV cell no spreadsheet evaluates: a leading formula character is quoted with ',
    line breaks (which not every reader takes as part of a cell) become spaces."""
    text = clean(text).replace("\r", " ").replace("\n", " ")
    return "'" + text if text.startswith(_FORMULA_START) else text


def inline(text: str) -> str:
    """Student text inside a line of Markdown: no HTML, links or emphasis of its own."""
    text = html.escape(clean(text).replace("\n", " "), quote=True)
    return re.sub(r"([\\`*_{}\[\]()#+!|~<>-])", r"\\\1", text)


def forget(out: Path) -> None:
    """``--force``: remove every file a batch wrote into ``out`` (only ours)."""
    for name in OUR_FILES:
        (out / name).unlink(missing_ok=True)
    for name in OUR_FOLDERS:
        folder = out / name
        if folder.is_dir():
            for path in sorted(folder.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()


def file_name(student: str) -> str:
    """A student id made safe as a file or folder name: the id itself where it can be (so
    feedback/<id>.md matches the CSV), a character no file name may hold becoming ``_``."""
    safe = re.sub(r"[^\w .@+-]", "_", student).strip(". ") or "_"
    return safe[:120]


def unique_file_names(students: list[str]) -> dict[str, str]:
    names, taken = {}, set()
    for student in sorted(students, key=student_order):
        name, n = file_name(student), 1
        while name.casefold() in taken:
            n += 1
            name = f"{file_name(student)}-{n}"
        taken.add(name.casefold())
        names[student] = name
    return names


@dataclass
class Submitter:
    """What the class folder says about a student beyond their result."""

    name: str = ""  # the display name an LMS gave, or the roster's
    late: bool = False
    file: str = ""  # the file graded, relative to the class folder


# -- the outputs -------------------------------------------------------------------------

def _points(value: float) -> str:
    return f"{value:g}"


def task_names(results: list[GradeResult]) -> list[str]:
    names: list[str] = []
    for result in results:
        names += [t.name for t in result.tasks if t.name not in names]
    return names


def grades_csv(results: list[GradeResult], about: dict[str, Submitter] | None = None) -> str:
    """One row per student: id, name, status, total, max, one column per task, late, the
    graded file, flags, duration."""
    tasks, about = task_names(results), about or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "status", "total", "max", *tasks, "late", "file", "flags",
                     "duration_s"])
    for r in results:
        scores = {t.name: _points(t.score) for t in r.tasks}
        who = about.get(r.submission, Submitter())
        writer.writerow([cell(r.submission), cell(who.name), r.row_status, _points(r.score),
                         _points(r.max_score), *(scores.get(t, "") for t in tasks),
                         "yes" if who.late else "", cell(who.file),
                         cell("; ".join(sorted({f.kind for f in r.flags}))), f"{r.duration_s:.2f}"])
    return buffer.getvalue()


def _fence(text: str) -> str:
    """A fenced block no backticks inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{clean(text)}\n{fence}"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def feedback_markdown(result: GradeResult, graded_file: str = "") -> str:
    """The student's report, readable on its own; ``graded_file`` says which file it judged."""
    lines = [f"# {result.exercise}: feedback for {inline(result.submission)}", ""]
    percent = f" ({result.percent:.0f}%)" if result.max_score else ""
    lines += [f"**Score: {_points(result.score)} / {_points(result.max_score)}{percent}**", ""]
    if graded_file:
        lines += [f"Graded file: {inline(graded_file)}", ""]
    if result.status != "graded":
        lines += [f"Not graded ({result.status}). What went wrong:", "",
                  _fence(result.error or "no reason recorded"), ""]
        return "\n".join(lines)
    if result.error:
        lines += [_fence(result.error), ""]
    lines += ["| task | score | checks passed |", "|---|---:|---:|"]
    for task in result.tasks:
        passed = sum(c.status == "passed" for c in task.checks)
        mark = "✓" if task.score == task.max_score else "✗"
        lines.append(f"| {mark} {task.name} | {_points(task.score)} / {_points(task.max_score)} "
                     f"| {passed} / {len(task.checks)} |")
    fixes = result.what_to_fix()
    if fixes:
        lines += ["", "## What to fix"]
    for task, failing in fixes:
        lines += ["", f"### {task.name}", ""]
        for check, show in failing:
            lines.append(f"- **{check.name}**: {check.status}")
            if show:
                lines += ["", _indent(_fence(check.feedback)), ""]
    if not fixes:
        lines += ["", "Every check passed."]
    return "\n".join(lines).rstrip() + "\n"


def junit_xml(results: list[GradeResult], exercise: str) -> str:
    """One testsuite per student, one testcase per check, for CI systems."""
    root = ET.Element("testsuites", name=exercise)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=clean(result.submission),
                              time=f"{result.duration_s:.3f}")
        properties = ET.SubElement(suite, "properties")
        for name, value in (("status", result.status), ("score", _points(result.score)),
                            ("max_score", _points(result.max_score))):
            ET.SubElement(properties, "property", name=name, value=value)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        if result.status != "graded":
            counts["tests"] += 1
            counts["errors"] += 1
            case = ET.SubElement(suite, "testcase", classname=clean(result.submission),
                                 name="submission")
            error = ET.SubElement(case, "error", message=result.status, type=result.status)
            error.text = clean(result.error)
        for task, c in result.checks():
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", name=clean(c.name), time=f"{c.duration_s:.3f}",
                                 classname=clean(f"{result.submission}.{task.name}"))
            if c.status == "passed":
                continue
            kind = "failure" if c.status in ("failed", "forbidden") else "error"
            counts["failures" if kind == "failure" else "errors"] += 1
            first = clean(c.feedback).splitlines()[0] if c.feedback else c.status
            element = ET.SubElement(case, kind, message=first[:200], type=c.status)
            element.text = clean(c.feedback)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return  # a resumed run rewrites every file: skip the fsyncs of those it had already
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, text)


class Gradebook:
    """Writes a batch's outputs into OUT: per student as results arrive, the rest at the end.

    ``template`` (the exercise's shape, from the pool's Ready event) gives a result that
    was not graded its checks in Gradescope's format; without it a graded classmate's
    result serves."""

    def __init__(self, out: Path, exercise: str, students: list[str],
                 about: dict[str, Submitter] | None = None):
        self.out = Path(out)
        self.exercise = exercise
        self.names = unique_file_names(students)
        self.about = about or {}
        self.template: GradeResult | None = None

    def write_student(self, result: GradeResult) -> None:
        name = self.names.get(result.submission) or file_name(result.submission)
        graded_file = self.about.get(result.submission, Submitter()).file
        _write_if_changed(self.out / FEEDBACK / f"{name}.md",
                          feedback_markdown(result, graded_file))
        if self.template is not None:
            _write_if_changed(self.out / GRADESCOPE / name / "results.json",
                              gradescope.results_json(result, self.template,
                                                      graded_file=graded_file or None))

    def write_all(self, results: list[GradeResult]) -> None:
        results = sorted(results, key=lambda r: student_order(r.submission))
        if self.template is None:  # a re-run that graded nothing: any graded result has the shape
            self.template = next((r for r in results if all(t.checks for t in r.tasks)), None)
        for result in results:
            self.write_student(result)
        atomic_write(self.out / GRADES, BOM + grades_csv(results, self.about))
        atomic_write(self.out / JUNIT, junit_xml(results, self.exercise))
