"""The result document of design.md, defined once and serialised in one place."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

CHECK_STATUSES = ("passed", "failed", "error", "timeout", "crashed", "forbidden")
GRADE_STATUSES = ("graded", "import_error", "missing")


@dataclass
class CheckResult:
    name: str
    status: str
    score: float
    max_score: float
    feedback: str = ""


@dataclass
class TaskResult:
    name: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)


@dataclass
class GradeResult:
    exercise: str
    submission: str
    status: str
    score: float
    max_score: float
    tasks: list[TaskResult] = field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict:
        document = asdict(self)
        if document["error"] is None:
            del document["error"]
        return document

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @classmethod
    def from_dict(cls, document: dict) -> GradeResult:
        tasks = [
            TaskResult(
                name=t["name"],
                score=t["score"],
                max_score=t["max_score"],
                checks=[CheckResult(**c) for c in t["checks"]],
            )
            for t in document["tasks"]
        ]
        return cls(**{**document, "tasks": tasks})
