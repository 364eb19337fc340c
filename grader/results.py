"""The result document, defined once: what grading a submission found.

A ``GradeResult`` is made in the grading process, travels through the batch's
pool, journal and exports, and is shown by the terminal report; it becomes a
dict only where it is written (``to_dict``) and is parsed once where it is read
(``from_dict``). The README documents the schema.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, get_args

CheckStatus = Literal["passed", "failed", "error", "timeout", "crashed", "forbidden"]
GradeStatus = Literal["graded", "import_error", "missing"]
# What a gradebook row says: the document's status, or why the batch stopped grading it.
RowStatus = Literal["graded", "import_error", "missing", "timeout", "grader_error"]
Visibility = Literal["public", "hidden"]

CHECK_STATUSES: tuple[str, ...] = get_args(CheckStatus)
GRADE_STATUSES: tuple[str, ...] = get_args(GradeStatus)
ROW_STATUSES: tuple[str, ...] = get_args(RowStatus)
VISIBILITIES: tuple[str, ...] = get_args(Visibility)


@dataclass
class CheckResult:
    name: str
    status: CheckStatus
    score: float
    max_score: float
    feedback: str = ""
    visibility: Visibility = "public"
    duration_s: float = 0.0


@dataclass
class TaskResult:
    name: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class Flag:
    """Something the integrity monitor saw a submission do (honest work has none)."""

    kind: str
    detail: str = ""


@dataclass
class GradeResult:
    exercise: str
    submission: str
    status: GradeStatus
    score: float
    max_score: float
    tasks: list[TaskResult] = field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None
    # Points of checks this run did not run (the student kit runs the public ones only).
    hidden_max_score: float = 0.0
    flags: list[Flag] = field(default_factory=list)
    # What the submission printed while it was graded: one sentence and its first lines
    # ("" when it printed nothing). Printing costs time; the student should know.
    printed: str = ""

    # -- made without running a check ----------------------------------------------
    @classmethod
    def empty(cls, template: GradeResult, submission: str, status: GradeStatus,
              error: str | None, duration_s: float = 0.0) -> GradeResult:
        """Nothing could be graded (``import_error``, ``missing``): every task at 0, no checks."""
        tasks = [TaskResult(t.name, 0.0, t.max_score) for t in template.tasks]
        return cls(template.exercise, submission, status, 0.0, template.max_score, tasks,
                   round(duration_s, 3), error, template.hidden_max_score)

    @classmethod
    def stopped(cls, template: GradeResult, submission: str, check_status: CheckStatus,
                error: str, duration_s: float = 0.0) -> GradeResult:
        """Grading was stopped from outside: every check ``check_status`` with no points.

        ``timeout`` reads as the row status ``timeout``, ``crashed`` as ``grader_error``.
        """
        tasks = [TaskResult(t.name, 0.0, t.max_score,
                            [CheckResult(c.name, check_status, 0.0, c.max_score, error,
                                         c.visibility) for c in t.checks])
                 for t in template.tasks]
        return cls(template.exercise, submission, "graded", 0.0, template.max_score, tasks,
                   round(duration_s, 3), error, template.hidden_max_score)

    @property
    def row_status(self) -> RowStatus:
        """The status a gradebook row shows; see ``stopped`` for the two it adds."""
        if self.status == "graded" and self.error:
            checks = [c.status for t in self.tasks for c in t.checks]
            if checks and all(c == "timeout" for c in checks):
                return "timeout"
            if checks and all(c == "crashed" for c in checks):
                return "grader_error"
        return self.status

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def checks(self) -> list[tuple[TaskResult, CheckResult]]:
        """Every (task, check) pair, in order."""
        return [(t, c) for t in self.tasks for c in t.checks]

    def what_to_fix(self) -> list[tuple[TaskResult, list[tuple[CheckResult, bool]]]]:
        """Each task with checks that did not pass, and with each such check whether its
        feedback is shown: once per task, since one forbidden call (or one missing
        function) explains all its checks. A passed check with feedback is there too: it
        says where a mistake it forgave really is (error carried forward). The terminal
        report and the feedback file both walk this."""
        fixes = []
        for task in self.tasks:
            failing, shown = [], set()
            for check in task.checks:
                if check.status != "passed" or check.feedback:
                    failing.append((check, bool(check.feedback) and check.feedback not in shown))
                    shown.add(check.feedback)
            if failing:
                fixes.append((task, failing))
        return fixes

    # -- the document ------------------------------------------------------------------
    def to_dict(self) -> dict:
        document = asdict(self)
        if document["error"] is None:
            del document["error"]
        return document

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, text: str) -> GradeResult:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, document: dict) -> GradeResult:
        tasks = [TaskResult(t["name"], t["score"], t["max_score"],
                            [CheckResult(**c) for c in t.get("checks", [])])
                 for t in document["tasks"]]
        flags = [Flag(**f) for f in document.get("flags", [])]
        return cls(**{**document, "tasks": tasks, "flags": flags})


@dataclass
class BatchSummary:
    """What a batch run did: every student's result (sorted) and how the run went."""

    exercise: str
    out: Path
    results: list[GradeResult]
    graded_now: int
    kept: int
    jobs: int
    elapsed_s: float
    ignored: list[str]
    not_on_roster: list[str] = field(default_factory=list)  # submitters --roster does not list
    report: Path | None = None  # the class report, OUT/report.html
    similar: int = 0  # students in a group of near-identical submissions

    @property
    def statuses(self) -> Counter:
        return Counter(r.row_status for r in self.results)
