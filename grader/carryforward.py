"""Error carried forward: a task built on the student's other tasks is judged on its own work.

``mlp_forward`` is built on ``sigmoid`` and ``softmax``. When the student's
softmax is wrong, a correct mlp_forward built on it is wrong too, but not by
its own doing: it earns its points when its answer is exactly what the task's
recipe gives with the student's own parts, and the check's feedback says where
the mistake really is ("mlp_forward is built correctly from your own sigmoid
and softmax; it is your softmax that is wrong (see softmax above), so this
check keeps its points"). No part can be forgiven for itself: when the
student's parts are right, the recipe gives the right answer, and the task's
own mistake stands.

Three forms, for three kinds of check:

- ``expect_composed``: the task is a formula of its parts; the grader composes
  the student's parts, one call each in the worker, and names the wrong part.
- ``carry_forward`` (an answer against a right one) and ``carry_forward_judged``
  (a property, judged in the same words): the recipe is run with the student's
  own parts by a probe.
- ``carry_crash_forward``: the task crashed exactly as the recipe does with the
  student's own parts, so the crash is theirs.

Declare the parts on the task too, ``Task("mlp_forward", builds_on=(...))``, so
that a library call inside the student's own part is charged to that part only.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from grader.check import Mistake, expect_close, note
from grader.student import StudentProblem

__all__ = ["expect_composed", "carry_forward", "carry_forward_judged", "carry_crash_forward"]


class Parts:
    """Named functions a composed task is built from: ``parts.softmax(z, dim=1)``."""

    def __init__(self, functions: dict[str, Callable]):
        self._functions = functions

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._functions[name]


class StudentParts(Parts):
    """The student's own parts, run in the worker; remembers which disagree with the truth.

    A part's forbidden calls are not judged here: they are that part's task's business."""

    def __init__(self, student, truth: dict[str, Callable]):
        super().__init__(truth)
        self._student = student
        self.wrong: list[str] = []

    def __getattr__(self, name: str) -> Callable:
        true_part = super().__getattr__(name)

        def call(*args, **kwargs):
            value = self._student.call_part(name, *args, **kwargs)
            if not isinstance(value, torch.Tensor):
                raise Mistake(f"your {name} did not return a tensor")
            right = true_part(*args, **kwargs)
            if value.shape != right.shape or not torch.allclose(value, right, rtol=1e-4, atol=1e-5):
                if name not in self.wrong:
                    self.wrong.append(name)
            return value

        return call


def _names(items: list[str], joiner: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def carry_forward(task: str, parts: tuple[str, ...], compare, value, expected,
                  carried: Callable[[], object],
                  wrong_parts: Callable[[], list[str]] | None = None) -> None:
    """Error carried forward, for any kind of answer: ``compare(answer, reference)`` raises
    Mistake when they differ. ``value`` passes when it matches ``expected``, or when it
    matches ``carried()`` (what the task's recipe gives with the student's own ``parts``)
    and those parts are wrong: then the check keeps its points and its feedback says where
    the mistake is (``wrong_parts()``, when the recipe could tell which parts it saw wrong)."""
    try:
        compare(value, expected)
        return
    except Mistake as wrong:
        mistake = wrong
    reference = _recipe(carried, mistake)
    try:
        compare(reference, expected)
    except Mistake:
        pass  # the student's parts give another answer: they are wrong
    else:
        raise mistake  # the parts are right, so the task's own work is wrong
    try:
        compare(value, reference)
    except (Mistake, TypeError, RuntimeError):
        raise mistake from None
    _note_carried(task, parts, wrong_parts() if wrong_parts else None)


def carry_forward_judged(task: str, parts: tuple[str, ...], judge: Callable[[object], None],
                         value, carried: Callable[[], object],
                         same: Callable[[object, object], bool] | None = None) -> None:
    """Error carried forward for a check that judges a property (``judge(answer)`` raises
    Mistake) rather than comparing with one right answer: ``value`` passes when it is
    judged right, or when the task's recipe with the student's own ``parts`` (``carried()``)
    is judged wrong in the very same words and ``same(value, carried)`` holds (by default:
    nothing more is asked). Then the check keeps its points and says where the mistake is."""
    try:
        judge(value)
        return
    except Mistake as wrong:
        mistake = wrong
    reference = _recipe(carried, mistake)
    try:
        judge(reference)
    except Mistake as again:
        # The same first sentence: the student's traceback lines after it differ, since the
        # recipe's frames are the grader's.
        if _first_line(again) != _first_line(mistake) \
                or (same is not None and not same(value, reference)):
            raise mistake from None
    else:
        raise mistake  # the recipe with the student's parts does it right: the task does not
    _note_carried(task, parts, None)


def _recipe(carried: Callable[[], object], mistake: Mistake):
    """What the task's recipe gives with the student's own parts; when the parts cannot even
    be composed there is nothing to carry, and the task's own ``mistake`` stands."""
    try:
        return carried()
    except (Mistake, StudentProblem, TypeError, RuntimeError, ValueError, IndexError):
        raise mistake from None


def _first_line(problem: Exception) -> str:
    return (str(problem).splitlines() or [""])[0]


def carry_crash_forward(task: str, parts: tuple[str, ...], run: Callable[[], object],
                        carried: Callable[[], object]):
    """``run()``, the student's task; if it raises, and the task's recipe with the student's
    own ``parts`` (``carried()``) raises the same error, the crash is the parts' doing: the
    check keeps its points (returns None, after a note). Otherwise the error stands."""
    try:
        return run()
    except (StudentProblem, Mistake) as problem:
        if isinstance(problem, Mistake) and not hasattr(problem, "error"):
            raise  # a wrong answer, not a crash: the value checks judge it
        crash = problem
    if _error_of(crash)[0] == "NotImplementedError":
        raise crash  # a task not written yet is not carried by anything
    try:
        carried()
    except StudentProblem as again:
        if _error_of(again) == _error_of(crash):
            _note_carried(task, parts, None, crashed=True)
            return None
    except Exception:  # noqa: BLE001 - the recipe failing otherwise says nothing of the task
        pass
    raise crash


def _error_of(problem: Exception) -> tuple:
    """What the student's code raised (a Mistake made of a crash keeps it as ``error``)."""
    error = getattr(problem, "error", None) or {}
    return (error.get("type"), error.get("message")) if error else (type(problem), str(problem))


def _note_carried(task: str, parts: tuple[str, ...], wrong: list[str] | None,
                  crashed: bool = False) -> None:
    named = wrong or list(parts)
    if len(named) == 1:
        where = f"it is your {named[0]} that is wrong (see {named[0]} above)"
    elif wrong:
        where = f"it is your {_names(named)} that are wrong (see above)"
    else:
        where = f"the mistake is in your {_names(named, 'or')} (see above)"
    built = ("fails with the same error that the stub's recipe gives with your own "
             if crashed else "is built correctly from your own ")
    note(f"{task} {built}{_names(list(parts))}; {where}, so this check keeps its points.")


def expect_composed(student, value, task: str, compose: Callable[[Parts], torch.Tensor],
                    truth: dict[str, Callable], what: str, hint: str = "", **tolerances) -> None:
    """``value``, the answer of ``task`` (built from the parts named in ``truth``), equals
    ``compose(truth)``, or else exactly what ``compose`` gives with the student's own parts
    (error carried forward, see ``carry_forward``)."""
    student_parts = StudentParts(student, truth)

    def compare(answer, reference):
        expect_close(answer, reference, what, hint, **tolerances)

    carry_forward(task, tuple(truth), compare, value, compose(Parts(truth)),
                  lambda: compose(student_parts), lambda: student_parts.wrong)
