"""How nothing a batch finished is ever lost: the journal in its output folder.

Every finished result is appended to ``results.jsonl`` and flushed to disk
(fsync) the moment it arrives. A second file, ``.batch-state.jsonl``, records
for each result what it was graded from (a fingerprint of the submission's
bytes and of the grader), so a re-run keeps a result only while neither has
changed. A result counts as finished only once both lines are on disk, so a
grader killed at any instant - even between the two - loses at most the one
result it was writing, which the next run grades again.

At the end of a run both files are rewritten with one line per student, sorted,
so an interrupted and resumed batch ends with the same files as an
uninterrupted one (only the measured durations differ).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.results import GradeResult

RESULTS = "results.jsonl"
STATE = ".batch-state.jsonl"


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


def read_lines(path: Path) -> list[dict]:
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


def student_order(student: str) -> tuple:
    return (student.casefold(), student)


class _AppendLog:
    def __init__(self, path: Path):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def append(self, document: dict) -> None:
        self.file.write(json.dumps(document) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


@dataclass
class Finished:
    result: GradeResult
    fingerprint: str | None  # None: keep it in this run's gradebook, but grade it again next run


def _parse(document: dict) -> GradeResult | None:
    try:
        return GradeResult.from_dict(document)
    except (KeyError, TypeError, ValueError):
        return None  # a line from another version of the grader: graded again


class Journal:
    """results.jsonl plus the fingerprints that say which results a re-run may keep."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self._logs: list[_AppendLog] = []

    def load(self) -> dict[str, Finished]:
        """The finished results of earlier runs, by student: the last of each wins."""
        results = {}
        for document in read_lines(self.out / RESULTS):
            result = _parse(document)
            if result is not None:
                results[result.submission] = result
        prints = {s.get("student"): s.get("fingerprint") for s in read_lines(self.out / STATE)}
        return {student: Finished(result, prints.get(student))
                for student, result in results.items()}

    def open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        read_lines(self.out / RESULTS)  # cut a torn line before appending after it
        read_lines(self.out / STATE)
        self._logs = [_AppendLog(self.out / RESULTS), _AppendLog(self.out / STATE)]

    def record(self, result: GradeResult, fingerprint: str | None) -> None:
        """Durably add one result; it counts as finished once its fingerprint is written too."""
        results, state = self._logs
        results.append(result.to_dict())
        if fingerprint is not None:
            state.append({"student": result.submission, "fingerprint": fingerprint})

    def close(self) -> None:
        for log in self._logs:
            log.close()
        self._logs = []

    def compact(self, finished: dict[str, Finished]) -> None:
        """Rewrite both files with one line per current student, in order."""
        ordered = sorted(finished.items(), key=lambda item: student_order(item[0]))
        atomic_write(self.out / RESULTS,
                     "".join(json.dumps(f.result.to_dict()) + "\n" for _, f in ordered))
        atomic_write(self.out / STATE,
                     "".join(json.dumps({"student": s, "fingerprint": f.fingerprint}) + "\n"
                             for s, f in ordered if f.fingerprint is not None))
