"""Which exercises exist, their tasks and points: read from the check modules themselves."""

from __future__ import annotations

import importlib
import types
from dataclasses import dataclass, field

from grader import paths
from grader.check import CheckInfo, Exercise, check_name
from grader.errors import UnknownExercise
from grader.results import CheckResult, GradeResult, TaskResult

__all__ = ["CheckEntry", "ExerciseEntry", "UnknownExercise", "exercise_names", "load", "all_exercises"]


@dataclass
class CheckEntry:
    name: str
    function_name: str
    info: CheckInfo


@dataclass
class ExerciseEntry:
    exercise: Exercise
    checks: list[CheckEntry]
    module_name: str
    # Points per task of hidden checks that are not in this tree: a student kit's check
    # modules keep only the public checks and say, in HIDDEN_POINTS, what was left out.
    held_back: dict[str, float] = field(default_factory=dict)

    def points(self, task: str, public_only: bool = False) -> float:
        """The task's points: all of them, or only those of its public checks."""
        public = sum(c.info.points for c in self.checks if c.info.task == task and not c.info.hidden)
        return public if public_only else public + self.hidden_points(task)

    def hidden_points(self, task: str | None = None) -> float:
        """Points of hidden checks (of one task, or all): those here and those held back."""
        here = sum(c.info.points for c in self.checks
                   if c.info.hidden and task in (None, c.info.task))
        away = sum(p for t, p in self.held_back.items() if task in (None, t))
        return here + away

    @property
    def max_score(self) -> float:
        return sum(self.points(t) for t in self.task_names())

    @property
    def probe_modules(self) -> list[str]:
        """The grader.probes modules this exercise's checks run in workers: each worker
        takes its probes from them before the submission loads, so it cannot replace them."""
        names = {"grader.probes.common"}
        for value in vars(importlib.import_module(self.module_name)).values():
            name = value.__name__ if isinstance(value, types.ModuleType) \
                else getattr(value, "__module__", None)
            if isinstance(name, str) and name.startswith("grader.probes."):
                names.add(name)
        return sorted(names)

    def task_names(self) -> list[str]:
        return [t.name for t in self.exercise.tasks]

    def template(self, task: str | None = None, public_only: bool = False) -> GradeResult:
        """The result's shape before grading: every task and check (the public ones only, with
        the points held back, for a run of the public checks), no points yet."""
        tasks = [TaskResult(t, 0.0, self.points(t, public_only),
                            [CheckResult(c.name, "failed", 0.0, c.info.points,
                                         visibility=c.info.visibility)
                             for c in self.checks if c.info.task == t
                             and not (public_only and c.info.hidden)])
                 for t in self.task_names() if task in (None, t)]
        held_back = self.hidden_points(task) if public_only else 0.0
        return GradeResult(self.exercise.name, "", "graded", 0.0,
                           sum(t.max_score for t in tasks), tasks, hidden_max_score=held_back)

    @property
    def budget_s(self) -> float:
        """Every check running into its own timeout, plus the import: the worst honest case."""
        return self.exercise.timeout + sum(c.info.timeout or self.exercise.timeout
                                           for c in self.checks)


def exercise_names() -> list[str]:
    names = [p.stem for p in paths.CHECKS.glob("exercise*.py")]
    return sorted(names, key=lambda n: int(n.removeprefix("exercise") or 0))


def load(name: str) -> ExerciseEntry:
    if name not in exercise_names():
        known = ", ".join(exercise_names())
        raise UnknownExercise(f"There is no exercise called '{name}'; the exercises are: {known}.")
    module_name = f"grader.checks.{name}"
    module = importlib.import_module(module_name)
    exercise: Exercise = module.EXERCISE
    checks = [
        CheckEntry(check_name(fn), fn.__name__, fn.grader_check)
        for fn in vars(module).values()
        if callable(fn) and hasattr(fn, "grader_check")
    ]
    tasks = [t.name for t in exercise.tasks]
    for entry in checks:
        if entry.info.task not in tasks:
            raise ValueError(f"{module_name}.{entry.function_name} names unknown task "
                             f"{entry.info.task!r}")
    held_back = {task: float(p) for task, p in getattr(module, "HIDDEN_POINTS", {}).items()}
    return ExerciseEntry(exercise, checks, module_name, held_back)


def all_exercises() -> list[ExerciseEntry]:
    return [load(name) for name in exercise_names()]
