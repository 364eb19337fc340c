"""Building submissions for the grader's own tests."""

from pathlib import Path

from grader import paths


def with_reference(exercise: str, extra: str) -> str:
    """The reference solution with ``extra`` appended (its definitions win)."""
    return (paths.SOLUTIONS / f"{exercise}.py").read_text() + "\n\n" + extra


def write_submission(folder: Path, exercise: str, source: str) -> Path:
    path = folder / f"{exercise}.py"
    path.write_text(source)
    return path
