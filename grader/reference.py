"""The reference solutions, loaded in the grader's process only (never in a worker)."""

import importlib.util
import types

from grader import paths


def reference(exercise: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"solutions.{exercise}", paths.SOLUTIONS / f"{exercise}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
