"""A class's submissions, found: one student per sub-folder, loose file or zip.

Accepted layouts: a folder per student holding the exercise's file, loose files
named after the student (``alice.py``, ``bob.ipynb``), nbgrader's
``submitted/<student>/<assignment>/``, and a zip of any of these (unpacked with
limits on size and file count, never outside the scratch folder). A student
with nothing gradable is reported as ``missing``, never skipped.
"""

from __future__ import annotations

import re
import stat
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader import catalog, lms, paths
from grader.errors import BatchError

GRADABLE = (".py", ".ipynb")
SKIPPED = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", "node_modules"}
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ZIP_FILES = 100_000


@dataclass
class Found:
    """One student: the file to grade, or why there is none."""

    student: str
    path: Path | None
    status: str | None = None  # "missing" when there is nothing to grade
    problem: str | None = None
    entry: str = ""  # its name in the class folder: alice, alice.py, alice.zip
    name: str = ""  # the display name an LMS download gives
    late: bool = False
    file: str = ""  # the graded file as the class folder names it, where it was copied


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


def can_hide(folder: Path) -> bool:
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
        if can_hide(source.parent):
            hidden.append(source.parent)
        else:
            notes.append(f"{source.name} lies in a folder the grader itself needs, so workers "
                         "could read it; keep class archives in a folder of their own.")
    else:
        if not can_hide(source):
            raise BatchError(f"{source} holds the grader itself; put the submissions in a "
                             "folder of their own.")
        root = source
        hidden.append(source)
    root = _unwrap(root, exercise)
    if any(p.name in (f"{exercise}.py", f"{exercise}.ipynb") for p in _visible(root)):
        raise BatchError(f"{root} looks like one student's folder (it holds {exercise} itself); "
                         "give the folder that holds one sub-folder or file per student.")
    excluded = {Path(p).resolve() for p in exclude}
    entries = []
    for entry in _visible(root):
        if _is_gradebook(entry) or any(entry.resolve() in (p, *p.parents) for p in excluded):
            continue  # an --out folder inside the class folder is nobody's submission
        if entry.is_dir() and entry.name == "submitted" and _is_nbgrader(entry, exercise):
            entries += _visible(entry)  # nbgrader's submitted/ beside other submissions
        else:
            entries.append(entry)
    submitters, entries = lms.group(entries)
    found, ignored = _from_lms(submitters, exercise, scratch / "lms", notes), []
    for entry in entries:
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
    return ClassFolder(_unique(found), ignored, hidden, notes)


def _is_gradebook(folder: Path) -> bool:
    return folder.is_dir() and (folder / "results.jsonl").is_file() and (folder / "grades.csv").is_file()


def _is_nbgrader(submitted: Path, exercise: str) -> bool:
    """nbgrader's ``submitted/<student>/<assignment>/``: some student holds the assignment."""
    return any(child.is_dir() and any(_normal(a.name) == _normal(exercise) for a in _visible(child)
                                      if a.is_dir())
               for child in _visible(submitted))


def _from_lms(submitters: dict[str, lms.Submitter], exercise: str, scratch: Path,
              notes: list[str]) -> list[Found]:
    """One student per LMS id: the latest attempt's files, gathered by grader.lms, and the
    exercise's file picked from them as from any student's folder."""
    found = []
    for number, (student, who) in enumerate(submitters.items()):
        folder = scratch / str(number)
        origin = lms.gather(who, folder, GRADABLE)
        path, problem = pick_file(folder, exercise)
        if problem:
            problem = problem.replace(f"{folder.name}/", f"{who.lms}'s download for {student}")
        if note := lms.attempts_note(who):
            notes.append(note)
        found.append(Found(student, path, None if path else "missing", problem,
                           who.pieces[0].entry.name, who.name, who.late,
                           str(origin[path]) if path else ""))
    return found


def _unique(found: list[Found]) -> list[Found]:
    """Two entries for one name (alice/ and alice.py) both count, each under its full name."""
    counts = Counter(f.student for f in found)
    for item in found:
        if counts[item.student] > 1:
            item.student = item.entry
    return found
