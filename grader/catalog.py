"""Which exercises exist, their tasks and points: read from the check modules themselves."""

from __future__ import annotations

import importlib
import types
from dataclasses import dataclass

from grader import paths
from grader.check import CheckInfo, Exercise, check_name


class UnknownExercise(LookupError):
    pass


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
    task_names = [t.name for t in exercise.tasks]
    for entry in checks:
        if entry.info.task not in task_names:
            raise ValueError(f"{module_name}.{entry.function_name} names unknown task "
                             f"{entry.info.task!r}")
    return ExerciseEntry(exercise, checks, module_name)


def all_exercises() -> list[ExerciseEntry]:
    return [load(name) for name in exercise_names()]
