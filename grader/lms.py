"""LMS bulk downloads: the student behind each file, as Canvas, Moodle and Blackboard name them.

Each LMS names a download's files after the student, in its own pattern:

- Canvas (Download Submissions, its content zipper): ``doejane_12345_67890_exercise3.py``,
  ``doejane_LATE_12345_67890_exercise3-1.py`` - the sortable name, ``LATE`` for a late
  submission, the user id, the attachment id, then the student's own file name (with
  ``-1``, ``-2`` added when a resubmission repeats one); ``doejane_12345_text.html`` for
  a text entry.
- Moodle (assign module, Download all submissions): ``Jane Doe_12345_assignsubmission_file_``
  (a folder of the student's files, or that prefix before each file's name) and
  ``..._assignsubmission_onlinetext_`` for online text; 12345 is the participant id.
- Blackboard (Grade Center, Assignment File Download):
  ``Assignment 3_jdoe_attempt_2026-11-20-10-00-00_exercise3.py`` and the attempt's
  ``..._attempt_2026-11-20-10-00-00.txt`` (which holds "Name: Jane Doe (jdoe)"); the
  same pattern nbgrader's ``zip_collect`` reads, where the assignment's name may be
  absent (``hacker_attempt_2016-01-30-15-30-10_problem1.ipynb``).

``group`` gathers a download's entries by student, with the LMS's own id, the display
name, whether it was late and which attempt each file belongs to, so that one student
with several files or attempts is one row and a helper file is never a student.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CANVAS = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
CANVAS_TEXT = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<file>text|link)\.html$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
BLACKBOARD = re.compile(r"^(?:(?P<assignment>.+)_)?(?P<id>[^_]+)_attempt_"
                        r"(?P<when>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<file>.+))?$")
BLACKBOARD_NAME = re.compile(r"^Name:\s*(?P<name>.*?)\s*\((?P<id>[^()]+)\)\s*$", re.MULTILINE)
# Canvas keeps a resubmitted file's name unique by adding -1, -2 before the suffix.
CANVAS_COPY = re.compile(r"^(?P<stem>.+)-\d+(?P<suffix>\.[^.]+)$")


@dataclass
class Piece:
    """One entry of the download: whose it is, which attempt, the student's own name for it."""

    entry: Path
    lms: str
    student: str
    name: str
    late: bool
    attempt: str  # sorts oldest first; "" where the LMS keeps the latest only
    filename: str  # "" for a folder of files (Moodle) or an attempt's info file
    order: int = 0  # within an attempt: a later upload of the same name wins (Canvas)


@dataclass
class Submitter:
    """Everything one student's entries hold, attempts and all."""

    lms: str
    student: str
    name: str = ""
    late: bool = False
    pieces: list[Piece] = field(default_factory=list)

    @property
    def attempts(self) -> list[str]:
        return sorted({p.attempt for p in self.pieces})

    def latest(self) -> list[Piece]:
        """The pieces of the newest attempt (an LMS that keeps one has one)."""
        newest = self.attempts[-1]
        return sorted((p for p in self.pieces if p.attempt == newest), key=lambda p: p.order)


def _canvas(entry: Path) -> Piece | None:
    match = CANVAS.match(entry.name) or CANVAS_TEXT.match(entry.name)
    if not match or not entry.is_file():
        return None
    filename = match["file"]
    if match.re is CANVAS_TEXT:
        filename = ""  # a text entry or a link: nothing gradable
    elif copy := CANVAS_COPY.match(filename):
        filename = copy["stem"] + copy["suffix"]
    # Canvas's download holds each student's latest submission only: one attempt.
    order = int(match["attachment"]) if match.re is CANVAS else 0
    return Piece(entry, "canvas", match["id"], match["name"], bool(match["late"]), "", filename,
                 order)


def _moodle(entry: Path) -> Piece | None:
    match = MOODLE.match(entry.name)
    if not match:
        return None
    filename = "" if entry.is_dir() or match["plugin"] != "file" else match["file"]
    return Piece(entry, "moodle", match["id"], match["name"], False, "", filename)


def _blackboard(entry: Path) -> Piece | None:
    if not entry.is_file():
        return None
    match = BLACKBOARD.match(entry.name)
    if match is None and entry.suffix == ".txt":  # the attempt's own .txt
        match = BLACKBOARD.match(entry.name.removesuffix(".txt"))
        if match is None or match["file"] is not None:
            return None
        try:  # the student's name is in it: "Name: Jane Doe (jdoe)"
            said = BLACKBOARD_NAME.search(entry.read_text(encoding="utf-8", errors="replace")[:4096])
        except OSError:
            said = None
        return Piece(entry, "blackboard", match["id"], said["name"] if said else "", False,
                     match["when"], "")
    if match is None or match["file"] is None:
        return None
    return Piece(entry, "blackboard", match["id"], "", False, match["when"], match["file"])


def recognise(entry: Path) -> Piece | None:
    """The LMS piece ``entry`` is, or None for a name no LMS gives."""
    return _blackboard(entry) or _moodle(entry) or _canvas(entry)


def group(entries: list[Path]) -> tuple[dict[str, Submitter], list[Path]]:
    """LMS entries gathered by student (keyed by the LMS's id), and the entries no LMS named."""
    students: dict[str, Submitter] = {}
    others = []
    for entry in entries:
        piece = recognise(entry)
        if piece is None:
            others.append(entry)
            continue
        key = f"{piece.lms}\0{piece.student}"
        who = students.setdefault(key, Submitter(piece.lms, piece.student))
        who.pieces.append(piece)
        who.name = who.name or piece.name
        who.late = who.late or piece.late
    return {s.student: s for s in students.values()}, others


def gather(who: Submitter, folder: Path, gradable: tuple[str, ...]) -> dict[Path, Path]:
    """Copy the gradable files of ``who``'s latest attempt into ``folder`` under the student's
    own file names (a later upload of one name replaces an earlier); returns where each copy
    came from. Links are not followed: a student's link could point at a classmate's work."""
    origin: dict[Path, Path] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for piece in who.latest():
        if piece.entry.is_dir():
            _copy_tree(piece.entry, folder, gradable, origin)
        elif piece.filename and Path(piece.filename).suffix.lower() in gradable:
            _copy_file(piece.entry, folder / piece.filename, origin)
    return origin


def _copy_tree(source: Path, target: Path, gradable: tuple[str, ...], origin: dict[Path, Path],
               depth: int = 0) -> None:
    for child in sorted(source.iterdir()):
        if child.is_symlink() or child.name.startswith(".") or child.name == "__MACOSX":
            continue
        if child.is_dir() and depth < 6:
            _copy_tree(child, target / child.name, gradable, origin, depth + 1)
        elif child.is_file() and child.suffix.lower() in gradable:
            _copy_file(child, target / child.name, origin)


def _copy_file(source: Path, target: Path, origin: dict[Path, Path]) -> None:
    if source.is_symlink():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    origin[target] = source


def attempts_note(who: Submitter) -> str | None:
    """What the instructor should know when a student made several attempts."""
    if len(who.attempts) < 2:
        return None
    return (f"{who.student} ({who.name or who.lms}): {len(who.attempts)} attempts; graded the "
            f"latest, {who.attempts[-1]}; earlier: {', '.join(who.attempts[:-1])}.")
