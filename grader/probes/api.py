"""What a probe may use besides the submission: the worker side's small API.

Probes run in the worker, next to the student's code. Everything here is
taken when the worker's code is imported in the fork-server, before any
submission loads, so a submission that replaces ``torch.save`` or the
traceback module changes nothing a probe relies on.
"""

from __future__ import annotations

import traceback

import torch

# torch.save as it was before any submission ran (exercise8's checkpoints).
save = torch.save
_extract_tb = traceback.extract_tb
_format_list = traceback.format_list
_format_exception_only = traceback.format_exception_only


class NotDefined(AttributeError):
    """The submission has no function of the name a check calls."""


def student_traceback(exc: BaseException, filename: str) -> str:
    """The traceback lines that are the student's own, not the grader's."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return "".join(_format_exception_only(type(exc), exc))
    frames = [f for f in _extract_tb(exc.__traceback__) if f.filename == filename]
    return "".join(_format_list(frames) + _format_exception_only(type(exc), exc))


def describe_error(exc: BaseException, filename: str) -> dict:
    """An exception of the student's as plain data: its type, message and own traceback."""
    try:
        message = str(exc)[:2000]
    except Exception:
        message = "(the exception's message could not be read)"
    try:
        text = student_traceback(exc, filename)[-6000:]
    except Exception:
        text = ""
    return {"type": type(exc).__name__, "message": message, "traceback": text}
