"""What ``grade batch`` leaves in its output folder, and how nothing finished is ever lost.

Every finished result is appended to ``results.jsonl`` and flushed to disk
(fsync) the moment it arrives; the student's feedback files are written
atomically (a temporary file renamed over the old one). A second file,
``.batch-state.jsonl``, records for each result what it was graded from (a
fingerprint of the submission's bytes and of the checks), so a re-run keeps a
result only while neither has changed. A result counts as finished only once
both lines are on disk, so a grader killed at any instant - even between the
two - loses at most the one result it was writing, which the next run grades
again.

At the end of a run every output is rewritten from the journal, sorted by
student, so an interrupted and resumed batch ends with the same files as an
uninterrupted one (only the measured durations differ).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from grader.results import GradeResult

RESULTS = "results.jsonl"
STATE = ".batch-state.jsonl"
GRADES = "grades.csv"
JUNIT = "junit.xml"
FEEDBACK = "feedback"
GRADESCOPE = "gradescope"
OUR_FILES = (RESULTS, STATE, GRADES, JUNIT)
OUR_FOLDERS = (FEEDBACK, GRADESCOPE)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- durable writes ----------------------------------------------------------------------

def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    _fsync_folder(path.parent)


def _read_lines(path: Path) -> list[dict]:
    """Every complete JSON line of ``path``; a torn last line (a killed writer) is cut off."""
    if not path.exists():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):  # the writer died mid-line: drop the fragment so appends stay whole
        with open(path, "r+b") as file:
            file.truncate(end)
            os.fsync(file.fileno())
    documents = []
    for line in data[:end].splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if isinstance(document, dict):
            documents.append(document)
    return documents


class _AppendLog:
    def __init__(self, path: Path):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def append(self, document: dict) -> None:
        self.file.write(json.dumps(document, sort_keys=False) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


@dataclass
class Finished:
    document: dict
    fingerprint: str | None  # None: keep it in this run's gradebook, but grade it again next run


class Journal:
    """results.jsonl plus the fingerprints that say which results a re-run may keep."""

    def __init__(self, out: Path):
        self.out = Path(out)

    def clear(self) -> None:
        """``--force``: forget every result of earlier runs (only the files we write)."""
        for name in OUR_FILES:
            (self.out / name).unlink(missing_ok=True)
        for name in OUR_FOLDERS:
            folder = self.out / name
            if folder.is_dir():
                for path in sorted(folder.rglob("*"), reverse=True):
                    path.rmdir() if path.is_dir() else path.unlink()

    def load(self) -> dict[str, Finished]:
        """The finished results of earlier runs, by student: the last of each wins."""
        documents = {d.get("submission"): d for d in _read_lines(self.out / RESULTS)}
        prints = {s.get("student"): s.get("fingerprint") for s in _read_lines(self.out / STATE)}
        return {student: Finished(document, prints.get(student))
                for student, document in documents.items() if student is not None}

    def open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        _read_lines(self.out / RESULTS)  # cut a torn line before appending after it
        _read_lines(self.out / STATE)
        self._results = _AppendLog(self.out / RESULTS)
        self._state = _AppendLog(self.out / STATE)

    def record(self, document: dict, fingerprint: str | None) -> None:
        """Durably add one result; it counts as finished once its fingerprint is written too."""
        self._results.append(document)
        if fingerprint is not None:
            self._state.append({"student": document["submission"], "fingerprint": fingerprint})

    def close(self) -> None:
        for log in (getattr(self, "_results", None), getattr(self, "_state", None)):
            if log is not None:
                log.close()

    def compact(self, finished: dict[str, Finished]) -> None:
        """Rewrite both files with one line per current student, in order."""
        ordered = sorted(finished.items(), key=lambda item: student_order(item[0]))
        atomic_write(self.out / RESULTS,
                     "".join(json.dumps(f.document) + "\n" for _, f in ordered))
        atomic_write(self.out / STATE,
                     "".join(json.dumps({"student": s, "fingerprint": f.fingerprint}) + "\n"
                             for s, f in ordered if f.fingerprint is not None))


def student_order(student: str) -> tuple:
    return (student.casefold(), student)


def file_name(student: str) -> str:
    """A student id made safe as a file or folder name."""
    safe = re.sub(r"[^\w.@+-]", "_", student).strip(".") or "_"
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


# -- the outputs -------------------------------------------------------------------------

def _points(value: float) -> str:
    return f"{value:g}"


def task_names(documents: list[dict]) -> list[str]:
    names: list[str] = []
    for document in documents:
        for task in document.get("tasks", []):
            if task["name"] not in names:
                names.append(task["name"])
    return names


def row_status(document: dict) -> str:
    """The status a gradebook row shows: the document's, or why the batch stopped grading it.

    ``timeout``: stopped by the batch's --timeout; ``grader_error``: the grader itself failed
    (a re-run grades it again). Both documents say ``graded``, with the reason in ``error``.
    """
    if document["status"] == "graded" and document.get("error"):
        checks = [c["status"] for t in document.get("tasks", []) for c in t.get("checks", [])]
        if checks and all(c == "timeout" for c in checks):
            return "timeout"
        if checks and all(c == "crashed" for c in checks):
            return "grader_error"
    return document["status"]


def grades_csv(documents: list[dict]) -> str:
    """One row per student: id, status, total, max, one column per task, duration."""
    tasks = task_names(documents)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "status", "total", "max", *tasks, "duration_s"])
    for d in documents:
        scores = {t["name"]: _points(t["score"]) for t in d.get("tasks", [])}
        writer.writerow([d["submission"], row_status(d), _points(d["score"]),
                         _points(d["max_score"]), *(scores.get(t, "") for t in tasks),
                         f"{d.get('duration_s', 0):.2f}"])
    return buffer.getvalue()


def _fence(text: str) -> str:
    """A fenced block no backticks inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{_CONTROL.sub('', text)}\n{fence}"


def feedback_markdown(document: dict) -> str:
    """The student's report, readable on its own."""
    result = GradeResult.from_dict(document)
    lines = [f"# {result.exercise}: feedback for {_CONTROL.sub('', result.submission)}", ""]
    percent = f" ({result.percent:.0f}%)" if result.max_score else ""
    lines += [f"**Score: {_points(result.score)} / {_points(result.max_score)}{percent}**", ""]
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
    problems = [(t, [c for c in t.checks if c.status != "passed"]) for t in result.tasks]
    problems = [(t, checks) for t, checks in problems if checks]
    if problems:
        lines += ["", "## What to fix"]
    for task, checks in problems:
        lines += ["", f"### {task.name}", ""]
        shown = set()
        for c in checks:
            lines.append(f"- **{c.name}**: {c.status}")
            if c.feedback and c.feedback not in shown:
                shown.add(c.feedback)
                lines += ["", _indent(_fence(c.feedback)), ""]
    if not problems:
        lines += ["", "Every check passed."]
    return "\n".join(lines).rstrip() + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def gradescope_json(document: dict) -> str:
    """Gradescope's autograder results format, one test per check."""
    result = GradeResult.from_dict(document)
    tests = []
    for task in result.tasks:
        checks = task.checks or [None]
        for c in checks:
            if c is None:  # not graded: one line per task, with the reason
                tests.append({"name": task.name, "score": 0.0, "max_score": task.max_score,
                              "status": "failed", "output": result.error or result.status,
                              "visibility": "visible"})
                continue
            tests.append({"name": f"{task.name}: {c.name}", "score": c.score,
                          "max_score": c.max_score,
                          "status": "passed" if c.status == "passed" else "failed",
                          "output": c.feedback if c.status == "passed" else
                          f"[{c.status}] {c.feedback}".strip(),
                          "visibility": "visible"})
    summary = f"{result.exercise}: {_points(result.score)} / {_points(result.max_score)}"
    if result.status != "graded" or result.error:
        summary += f" ({row_status(document)}) {result.error or ''}".rstrip()
    report = {"score": result.score, "max_score": result.max_score,
              "execution_time": math.ceil(result.duration_s), "output": summary,
              "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    return json.dumps(report, indent=2) + "\n"


def junit_xml(documents: list[dict], exercise: str) -> str:
    """One testsuite per student, one testcase per check, for CI systems."""
    def clean(text: str) -> str:
        return _CONTROL.sub("", text or "")

    root = ET.Element("testsuites", name=exercise)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for d in documents:
        result = GradeResult.from_dict(d)
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
        for task in result.tasks:
            for c in task.checks:
                counts["tests"] += 1
                case = ET.SubElement(suite, "testcase", name=clean(c.name), time="0",
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
    """Writes a batch's outputs into OUT: per student as results arrive, the rest at the end."""

    def __init__(self, out: Path, exercise: str, students: list[str]):
        self.out = Path(out)
        self.exercise = exercise
        self.names = unique_file_names(students)

    def write_student(self, document: dict) -> None:
        name = self.names.get(document["submission"]) or file_name(document["submission"])
        _write_if_changed(self.out / FEEDBACK / f"{name}.md", feedback_markdown(document))
        _write_if_changed(self.out / GRADESCOPE / name / "results.json", gradescope_json(document))

    def write_all(self, documents: list[dict]) -> None:
        documents = sorted(documents, key=lambda d: student_order(d["submission"]))
        for document in documents:
            self.write_student(document)
        atomic_write(self.out / GRADES, grades_csv(documents))
        atomic_write(self.out / JUNIT, junit_xml(documents, self.exercise))
