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
``builds_on`` other tasks judges its answers through grader/carryforward.py,
which also accepts exactly what composing the student's own parts gives and
says which part is wrong. A check that passes that way keeps its points and
carries that sentence (``note``) as its feedback.
"""

from __future__ import annotations

import reprlib
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from grader.student import Forbidden

__all__ = ["Exercise", "Task", "Forbidden", "Mistake", "check", "expect", "expect_close",
           "expect_tensor", "expect_shape", "expect_float", "expect_unchanged", "note"]


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
    # once per grading process, not once per worker; "module:function" calls a function.
    preload: tuple[str, ...] = ()
    # What a cluster worker must offer to grade it (Dask worker resources): {"GPU": 1} for
    # an exercise that trains on a real GPU where the cluster has one (grader/cuda.py).
    resources: dict[str, float] = field(default_factory=dict)
    # On a cluster where no worker offers ``resources``: None refuses the batch (Dask would
    # wait for such a worker forever); a sentence grades it without them, and is told
    # to the instructor once ("its device checks use the grader's stand-in GPU").
    without_resources: str | None = None


@dataclass(frozen=True)
class CheckInfo:
    task: str
    points: float
    timeout: float | None = None
    # Hidden checks run only in the instructor's grading: they are left out of the student kit
    # and draw their inputs from the course secret (grader/secret.py).
    hidden: bool = False

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


def check(task: str, points: float = 1.0, timeout: float | None = None, hidden: bool = False):
    """Mark a test function as a check of ``task`` worth ``points``; ``hidden=True`` keeps it
    out of the student kit."""

    def mark(function):
        function.grader_check = CheckInfo(task, float(points), timeout, hidden)
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


# What came back is shown in feedback within bounds however it is built (a student's reply
# can hold a million items): a few levels, a few items each, short strings.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 200, 200
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 8


# Whether feedback may quote values: not while a hidden check runs, since its inputs and expected
# values are what the student must not see (its name, points and sentence they may). Set by
# the grading plugin before each check.
_quoting = [True]


def quote_values(allowed: bool) -> None:
    _quoting[0] = allowed


def _show(value) -> str:
    if not _quoting[0]:
        return "(a hidden check does not show it)"
    if isinstance(value, torch.Tensor):
        text = repr(value).replace("\n", "\n    ")
        return text if len(text) < 600 else text[:600] + " ..."
    return _SHORT.repr(value)[:600]


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
               f"{actual[where].item():.6g}, the right value is {expected[where].item():.6g}."
               if _quoting[0] else f"{what} is not what it should be (at index {where}).")
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
    that same function's forward (central differences of it along random directions, in
    float64).

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
    along, slope = expect_tensor(report["autograd"], "the gradient"), report["difference"]
    expect(bool((slope.abs() > 1e-12).any() or (along.abs() > 1e-12).any()),
           f"Your {function}'s values do not change with its input, so it has no gradient to "
           "check: it does not compute its answer from the input yet.")
    close = torch.isclose(along, slope, rtol=1e-4, atol=1e-6)
    if not bool(close.all()):
        i = int((~close).nonzero()[0])
        raise Mistake(f"The gradient autograd computes through your {function} is not the slope of "
                      f"its own values: along a random direction it gives {along[i].item():.6g}, "
                      f"but the values change at a rate of {slope[i].item():.6g}. Some step hides "
                      "from autograd: an in-place change, .data, .detach() or NumPy in the middle "
                      "of the computation.")


def expect_finite_gradient(student, function: str, x: torch.Tensor, kwargs: dict | None = None,
                           hint: str = "") -> None:
    """Gradients through the student's ``function`` at ``x`` hold no NaN or inf."""
    from grader.probes.common import gradient_of_sum

    grad = student.probe(gradient_of_sum, function, x, kwargs or {}, task=function)
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
    shape, computed from its inputs (a constant is no work). Its values are the value
    checks' business: one mistake, one place."""
    kwargs = kwargs or {}
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    value = student.call(function, *args, **kwargs)
    for i, (old, new) in enumerate(zip(before, student.last.args_after)):
        if isinstance(old, torch.Tensor):
            expect_unchanged(old, new, f"your {function} (argument {i + 1})")
    expect_shape(value, true_function(*before, **kwargs).shape, f"{function}(...)")
    # Other values, not an affine change of them (standardizing undoes those).
    other = [a + torch.randn_like(a) if isinstance(a, torch.Tensor) and a.is_floating_point()
             else a for a in before]
    again = student.call(function, *other, **kwargs)
    expect(not (isinstance(again, torch.Tensor) and torch.equal(again, value)),
           f"your {function} returned the same value for other inputs: it does not compute "
           "its answer from them yet.")


class _CallableModule(types.ModuleType):
    """``grader.check("exercise3")`` is the notebook API (grader/__init__.py). Importing this
    module puts it in that attribute's place, so calling it must still mean that: a notebook
    whose ``grader.check`` cells are graded runs them where this module is loaded."""

    def __call__(self, exercise: str, task: str | None = None):
        from grader import jupyter

        return jupyter.check(exercise, task)


sys.modules[__name__].__class__ = _CallableModule
