"""The grader's one family of errors a person can act on.

Each carries the one plain sentence that is shown and the exit code it maps
to (2: bad usage), so ``grader.cli.main`` catches them in one place and no
other module decides how they look.
"""

from __future__ import annotations


class GraderError(Exception):
    """Grading cannot go on as asked; the message says why, in one sentence."""

    exit_code = 2


class UnknownExercise(GraderError, LookupError):
    """No exercise (or task) of that name."""


class SubmissionError(GraderError):
    """The submission cannot be graded at all: missing, a folder, too big, not text."""


class BatchError(GraderError):
    """The batch cannot run as asked (its folder, its output folder, its processes)."""


class NotebookError(SubmissionError, ValueError):
    """The file cannot be read as a Python notebook."""


class ReportError(GraderError):
    """The class report cannot be made: its output folder holds no batch's results."""
