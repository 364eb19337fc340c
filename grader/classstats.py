"""What a class's results say, as numbers: how it did, per task, and its common mistakes.

Made from ``GradeResult``s alone (a batch's ``results.jsonl``), so the class
report, the terminal summary and anyone's own script count the same way.
Scores are over the *graded* rows (``row_status == "graded"``): a submission
that could not be loaded, was missing or was stopped has no checks that say
anything about what the student understood, and is counted as such instead.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.results import GradeResult

# Numbers in feedback differ from student to student ("row 0 sums to 2.73"); the
# sentence around them is the mistake.
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass
class Glance:
    """The class at a glance."""

    students: int
    submitted: int  # everything but missing
    graded: int
    missing: int
    import_errors: int
    timeouts: int
    grader_errors: int
    flagged: int
    max_score: float
    totals: list[float]  # of the graded rows, in student order

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.totals) if self.totals else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.totals) if self.totals else None


@dataclass
class TaskSummary:
    name: str
    max_score: float
    mean: float | None  # over graded rows
    full_marks: int
    graded: int


@dataclass
class Mistake:
    """One check, and the graded students who did not pass it."""

    task: str
    check: str
    students: list[str]
    statuses: Counter  # how it went wrong: failed, error, forbidden, ...
    sentence: str  # the feedback most of them got (its first line)
    sentence_count: int  # how many got that sentence

    @property
    def count(self) -> int:
        return len(self.students)


def graded(results: list[GradeResult]) -> list[GradeResult]:
    return [r for r in results if r.row_status == "graded"]


def glance(results: list[GradeResult]) -> Glance:
    rows = Counter(r.row_status for r in results)
    max_score = max((r.max_score for r in results), default=0.0)
    return Glance(len(results), len(results) - rows["missing"], rows["graded"], rows["missing"],
                  rows["import_error"], rows["timeout"], rows["grader_error"],
                  sum(bool(r.flags) for r in results), max_score,
                  [r.score for r in graded(results)])


def tasks(results: list[GradeResult]) -> list[TaskSummary]:
    """Each task in the curriculum's order: its mean score and how many earned full marks."""
    rows = graded(results)
    summaries: dict[str, TaskSummary] = {}
    for result in results:  # every row knows the tasks, graded or not
        for task in result.tasks:
            summaries.setdefault(task.name, TaskSummary(task.name, task.max_score, None, 0, 0))
    for name, summary in summaries.items():
        scores = [t.score for r in rows for t in r.tasks if t.name == name]
        summary.graded = len(scores)
        summary.mean = statistics.fmean(scores) if scores else None
        summary.full_marks = sum(s == summary.max_score for s in scores)
    return list(summaries.values())


def sentence_key(feedback: str) -> str:
    """The feedback's first line with its numbers masked: students with one mistake
    get one sentence, whatever their numbers were."""
    first = feedback.strip().splitlines()[0] if feedback.strip() else ""
    return _NUMBER.sub("#", first)


def mistakes(results: list[GradeResult]) -> list[Mistake]:
    """Every check some graded student did not pass, the most failed first.

    A check counts where it did not pass. With errors carried forward, a task built
    on a student's own broken part passes when it composes that part correctly, so
    a mistake is counted in the task that made it, not in every task after it.
    """
    order: dict[tuple[str, str], int] = {}
    who: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for result in graded(results):
        for task, check in result.checks():
            key = (task.name, check.name)
            order.setdefault(key, len(order))
            if check.status != "passed":
                who.setdefault(key, []).append((result.submission, check.status, check.feedback))
    found = []
    for (task, check), failing in who.items():
        sentences = Counter(sentence_key(feedback) for _, _, feedback in failing)
        key, count = sentences.most_common(1)[0]
        example = next(f for _, _, f in failing if sentence_key(f) == key)
        found.append(Mistake(task, check, [s for s, _, _ in failing],
                             Counter(status for _, status, _ in failing),
                             example.strip().splitlines()[0] if example.strip() else "",
                             count))
    return sorted(found, key=lambda m: (-m.count, order[(m.task, m.check)]))


def checks_everyone_passed(results: list[GradeResult]) -> list[tuple[str, str]]:
    failed = {(m.task, m.check) for m in mistakes(results)}
    seen: list[tuple[str, str]] = []
    for result in graded(results):
        for task, check in result.checks():
            if (task.name, check.name) not in failed and (task.name, check.name) not in seen:
                seen.append((task.name, check.name))
    return seen


@dataclass
class FlagRow:
    student: str
    kinds: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def flagged(results: list[GradeResult]) -> list[FlagRow]:
    """Every student the integrity monitor flagged, with what it saw."""
    return [FlagRow(r.submission, [f.kind for f in r.flags], [f.detail for f in r.flags])
            for r in results if r.flags]


def histogram(totals: list[float], max_score: float, bins: int = 10) -> list[int]:
    """How many totals fall in each tenth of ``max_score`` (full marks in the last)."""
    counts = [0] * bins
    for total in totals:
        tenth = int(total * bins / max_score) if max_score else 0
        counts[min(bins - 1, max(0, tenth))] += 1
    return counts
