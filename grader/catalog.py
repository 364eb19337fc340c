"""Which exercises exist, their tasks and points: read from the check modules themselves."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

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

    def points(self, task: str) -> float:
        return sum(c.info.points for c in self.checks if c.info.task == task)

    @property
    def max_score(self) -> float:
        return sum(c.info.points for c in self.checks)

    def task_names(self) -> list[str]:
        return [t.name for t in self.exercise.tasks]

    def template(self, task: str | None = None) -> GradeResult:
        """The result's shape before grading: every task and check, no points yet."""
        tasks = [TaskResult(t, 0.0, self.points(t),
                            [CheckResult(c.name, "failed", 0.0, c.info.points)
                             for c in self.checks if c.info.task == t])
                 for t in self.task_names() if task in (None, t)]
        return GradeResult(self.exercise.name, "", "graded", 0.0,
                           sum(t.max_score for t in tasks), tasks)

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
    return ExerciseEntry(exercise, checks, module_name)


def all_exercises() -> list[ExerciseEntry]:
    return [load(name) for name in exercise_names()]
