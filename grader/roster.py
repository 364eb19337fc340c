"""``--roster FILE``: the class list, so that every student on it gets a gradebook row.

A roster is a CSV file with an ``id`` column (``name`` and ``email`` optional), as
an LMS exports one or a spreadsheet saves it (a byte-order mark is fine). A roster
id matches a submitter's id - an LMS's own id (Canvas user id, Moodle participant
id, Blackboard username) or a folder's or file's name - ignoring case, or the part
of the roster's email before the @. Students on the roster with nothing in the
class folder get a ``missing`` row; submitters not on it keep their rows and are
listed at the end of the run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.classfolder import Found
from grader.errors import BatchError


@dataclass
class Enrolled:
    id: str
    name: str = ""
    email: str = ""

    def keys(self) -> set[str]:
        keys = {self.id.casefold()}
        if "@" in self.email:
            keys.add(self.email.split("@", 1)[0].casefold())
        return keys


def read_roster(path: Path) -> list[Enrolled]:
    """The roster's students; a BatchError in one sentence for a file that is not one."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = list(csv.DictReader(file))
            header = [h.strip().casefold() for h in (rows and rows[0].keys()) or []]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BatchError(f"The roster {path} could not be read as a UTF-8 CSV file: {exc}.") from None
    if "id" not in header:
        raise BatchError(f"The roster {path} has no 'id' column; its first line should name the "
                         "columns: id,name,email (name and email optional).")
    students, seen = [], set()
    for row in rows:
        row = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
        if row["id"] and row["id"].casefold() not in seen:
            seen.add(row["id"].casefold())
            students.append(Enrolled(row["id"], row.get("name", ""), row.get("email", "")))
    return students


def apply_roster(found: list[Found], roster: list[Enrolled]) -> tuple[list[Found], list[str]]:
    """Every roster student as a Found (``missing`` when nothing came), then the submitters
    the roster does not know; and those submitters' ids."""
    by_key = {}
    for item in found:
        by_key.setdefault(item.student.casefold(), item)
    rows, matched = [], set()
    for student in roster:
        item = next((by_key[k] for k in sorted(student.keys()) if k in by_key
                     and id(by_key[k]) not in matched), None)
        if item is None:
            rows.append(Found(student.id, None, "missing", "Nothing was submitted: this student is "
                              "on the roster but not in the class folder.", name=student.name))
            continue
        matched.add(id(item))
        item.student, item.name = student.id, student.name or item.name
        rows.append(item)
    unknown = [item for item in found if id(item) not in matched]
    return rows + unknown, [item.student for item in unknown]
