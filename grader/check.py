"""The check API: how a check module declares its exercise, its tasks and its checks.

A check module in ``grader/checks/`` reads like this::

    EXERCISE = Exercise("exercise3", "Activations and losses from scratch", [
        Task("softmax", forbidden=Forbidden(ops=..., why="softmax must be built from exp and sum.")),
    ])

    @check("softmax", points=1)
    def test_softmax_rows_sum_to_one(student):
        "softmax turns every row of scores into probabilities that sum to one."
        probs = student.softmax(torch.randn(4, 7), dim=1)
        expect_close(probs.sum(dim=1), torch.ones(4), "the row sums of softmax(x, dim=1)")

Checks are ordinary pytest tests; ``student`` is a fixture (grader/plugin.py).
A check fails by raising ``Mistake`` with the sentence a teaching assistant
would say; the helpers below build such sentences.

Error carried forward is a rule of the API, not of one exercise: a task that
``builds_on`` other tasks compares its answer with ``expect_composed``, which
also accepts exactly what composing the student's own parts gives, and says
which part is wrong. A check that passes that way keeps its points and carries
that sentence (``note``) as its feedback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from grader.student import Forbidden, StudentProblem

__all__ = ["Exercise", "Task", "Forbidden", "Mistake", "check", "expect", "expect_close",
           "expect_tensor", "expect_shape", "expect_float", "expect_unchanged", "expect_composed",
           "carry_forward", "carry_forward_judged", "carry_crash_forward", "note"]


@dataclass
class Task:
    name: str
    forbidden: Forbidden | None = None
    # The exercise's other tasks this one is built from (mlp_forward on sigmoid and softmax).
    # Calls the student's task makes inside their own parts count against those parts, not
    # against this task's forbidden rule: one mistake costs points in one place.
    builds_on: tuple[str, ...] = ()


@dataclass
class Exercise:
    name: str
    title: str
    tasks: list[Task] = field(default_factory=list)
    # Seconds a single check may take before the student's code is stopped.
    timeout: float = 10.0
    # A probe each worker runs before loading the submission (see Submission.setup).
    worker_setup: Callable[[], None] | None = None
    # Modules the fork-server imports before forking this exercise's workers, so that a
    # slow import (torch._dynamo, which any torch.optim optimizer pulls in: 0.8 s) is paid
    # once per grading process, not once per worker.
    preload: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckInfo:
    task: str
    points: float
    timeout: float | None = None


def check(task: str, points: float = 1.0, timeout: float | None = None):
    """Mark a test function as a check of ``task`` worth ``points``."""

    def mark(function):
        function.grader_check = CheckInfo(task, float(points), timeout)
        return function

    return mark


def check_name(function) -> str:
    """``test_softmax_rows_sum_to_one`` reads as ``softmax rows sum to one``."""
    return function.__name__.removeprefix("test_").replace("_", " ")


class Mistake(AssertionError):
    """The student's answer is wrong; the message says how, in their terms."""


# Sentences for a check that passes but has something to say (where the mistake it forgave
# really is). The grader runs one check at a time; the plugin empties this before each.
_notes: list[str] = []


def note(sentence: str) -> None:
    """Add a sentence to the running check's feedback without failing it."""
    if sentence not in _notes:
        _notes.append(sentence)


def take_notes() -> str:
    text = " ".join(_notes)
    _notes.clear()
    return text


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Mistake(message)


def _show(value) -> str:
    if isinstance(value, torch.Tensor):
        text = repr(value).replace("\n", "\n    ")
        return text if len(text) < 600 else text[:600] + " ..."
    return repr(value)[:600]


def expect_tensor(value, what: str) -> torch.Tensor:
    if isinstance(value, dict) and "__unencodable__" in value:
        raise Mistake(f"{what} should be a tensor, but it is a {value['__unencodable__']}.")
    if not isinstance(value, torch.Tensor):
        raise Mistake(f"{what} should be a tensor, but it is {type(value).__name__}: {_show(value)}")
    return value


def expect_shape(value, shape, what: str) -> torch.Tensor:
    value = expect_tensor(value, what)
    expected = torch.Size(shape)
    if value.shape != expected:
        raise Mistake(f"{what} should have shape {tuple(expected)}, but has shape "
                      f"{tuple(value.shape)}.")
    return value


# torch.testing.assert_close's documented defaults (rtol, atol). Calling assert_close itself
# would cost the grader a 0.4 s import of sympy on every run.
DEFAULT_TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


def expect_close(actual, expected: torch.Tensor, what: str, hint: str = "",
                 rtol: float | None = None, atol: float | None = None,
                 overflow_hint: str = "") -> None:
    """``actual`` equals ``expected`` within assert_close's default tolerances
    (|actual - expected| <= atol + rtol * |expected|) unless the check says otherwise.

    ``overflow_hint`` is said only when the answer holds a NaN or an inf where the right
    one is finite: a hint names a cause only when the check saw it happen."""
    actual = expect_shape(actual, expected.shape, what)
    if actual.dtype != expected.dtype:
        raise Mistake(f"{what} should be {expected.dtype}, but is {actual.dtype}.")
    default_rtol, default_atol = DEFAULT_TOLERANCES.get(expected.dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if expected.is_floating_point() and not torch.isfinite(actual).all() \
            and torch.isfinite(expected).all():
        bad = (~torch.isfinite(actual)).sum().item()
        hint = overflow_hint or hint
        raise Mistake(f"{what} contains {bad} NaN or infinite value(s) where every value should "
                      f"be finite.{' ' + hint if hint else ''}")
    close = torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if bool(close.all()):
        return
    where = tuple(torch.nonzero(~close)[0].tolist())
    message = (f"{what} is not what it should be: at index {where} it is "
               f"{actual[where].item():.6g}, the right value is {expected[where].item():.6g}.")
    raise Mistake(message + (f" {hint}" if hint else ""))


def expect_float(value, what: str) -> float:
    if type(value) is not float:
        kind = value.get("__unencodable__") if isinstance(value, dict) else type(value).__name__
        if isinstance(value, torch.Tensor):
            kind = "tensor"
        raise Mistake(f"{what} should be a Python float, but it is a {kind}"
                      + (" (call .item() on it)." if kind == "tensor" else "."))
    return value


def expect_unchanged(before: torch.Tensor, after, what: str) -> None:
    if not torch.equal(before, after):
        raise Mistake(f"{what} changed its input; it must return a new tensor and leave "
                      "the caller's tensor as it was (avoid in-place operations like sub_ or "
                      "x -= ...).")


def expect_honest_gradient(student, function: str, args: tuple, kwargs: dict | None = None,
                           wrt: int = 0) -> None:
    """The gradient autograd gives through the student's ``function`` is the derivative of
    that same function's forward (a central difference of it, in float64).

    A wrong forward with an honest backward loses only the forward's points; what this
    catches is a backward that does not match the forward (.data, .detach(), an in-place
    step, NumPy in the middle).
    """
    from grader.probes.common import gradient_and_difference

    kwargs = kwargs or {}
    args = tuple(a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
                 for a in args)
    report = student.probe(gradient_and_difference, function, args, kwargs, wrt, task=function)
    if "no_graph" in report:
        raise Mistake(f"No gradient flows back through your {function}: its result is not part "
                      "of the autograd graph. Did you use .detach(), .item(), .data or NumPy?")
    if "not_a_tensor" in report:
        raise Mistake(f"Your {function} returned a {report['not_a_tensor']}, not a tensor.")
    if report["autograd"] is None:
        raise Mistake(f"Your {function}'s result does not depend on its input in autograd's eyes.")
    expect_close(report["autograd"], report["difference"],
                 f"the gradient autograd computes through your {function}", rtol=1e-4, atol=1e-6,
                 hint=f"It is not the slope of your own {function}'s values, so some step in it "
                      "hides from autograd: an in-place change, .data, .detach() or NumPy in the "
                      "middle of the computation.")


def expect_finite_gradient(student, function: str, x: torch.Tensor, kwargs: dict | None = None,
                           hint: str = "") -> None:
    """Gradients through the student's ``function`` at ``x`` hold no NaN or inf."""
    from grader.probes.common import gradient

    out_shape = student.call(function, x, **(kwargs or {}))
    out_shape = expect_tensor(out_shape, f"{function}(x)").shape
    grad = student.probe(gradient, function, (x,), kwargs or {}, torch.ones(out_shape), 0,
                         task=function)
    if not isinstance(grad, torch.Tensor):
        return  # no gradient at all is the gradient check's business
    bad = ~torch.isfinite(grad)
    if bad.any():
        where = tuple(torch.nonzero(bad)[0].tolist())
        raise Mistake(f"The gradient of your {function} at x = {x[where].item():g} is "
                      f"{grad[where].item()}; it should be a finite number. {hint}".rstrip())


def expect_inputs_unchanged(student, function: str, args: tuple, true_function,
                            kwargs: dict | None = None) -> None:
    """``function`` leaves every tensor argument as it was and returns a tensor of the right
    shape. Its values are the value checks' business: one mistake, one place."""
    kwargs = kwargs or {}
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    value = student.call(function, *args, **kwargs)
    for i, (old, new) in enumerate(zip(before, student.last.args_after)):
        if isinstance(old, torch.Tensor):
            expect_unchanged(old, new, f"your {function} (argument {i + 1})")
    expect_shape(value, true_function(*before, **kwargs).shape, f"{function}(...)")


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
    try:
        reference = carried()
    except (Mistake, StudentProblem, TypeError, RuntimeError, ValueError, IndexError):
        raise mistake from None  # the parts cannot even be composed: nothing to carry
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
    try:
        reference = carried()
    except (Mistake, StudentProblem, TypeError, RuntimeError, ValueError, IndexError):
        raise mistake from None
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
