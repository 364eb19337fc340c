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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from grader.student import Forbidden

__all__ = ["Exercise", "Task", "Forbidden", "Mistake", "check", "expect", "expect_close",
           "expect_tensor", "expect_shape", "expect_float", "expect_unchanged"]


@dataclass
class Task:
    name: str
    forbidden: Forbidden | None = None


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
    # What a cluster worker must offer to grade it (Dask worker resources): {"GPU": 1} for
    # an exercise that must train on a real GPU. The stand-in GPU needs none.
    resources: dict[str, float] = field(default_factory=dict)


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
                 rtol: float | None = None, atol: float | None = None) -> None:
    """``actual`` equals ``expected`` within assert_close's default tolerances
    (|actual - expected| <= atol + rtol * |expected|) unless the check says otherwise."""
    actual = expect_shape(actual, expected.shape, what)
    if actual.dtype != expected.dtype:
        raise Mistake(f"{what} should be {expected.dtype}, but is {actual.dtype}.")
    default_rtol, default_atol = DEFAULT_TOLERANCES.get(expected.dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if expected.is_floating_point() and not torch.isfinite(actual).all() \
            and torch.isfinite(expected).all():
        bad = (~torch.isfinite(actual)).sum().item()
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


def expect_same_gradient(student, function: str, args: tuple, kwargs: dict, true_function,
                         wrt: int = 0) -> None:
    """The student's ``function`` passes gradients back exactly as ``true_function`` does.

    Checked in float64 (float32 round-off would blur a real difference) with a
    random upstream gradient, so every output's contribution counts.
    """
    from grader.probes.common import gradient, pull_back

    args = tuple(a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
                 for a in args)
    x = args[wrt].clone().requires_grad_(True)
    true_args = (*args[:wrt], x, *args[wrt + 1:])
    out = true_function(*true_args, **kwargs)
    upstream = torch.randn_like(out)
    pull_back(out, upstream)
    grad = student.probe(gradient, function, args, kwargs, upstream, wrt, task=function)
    if isinstance(grad, dict) and "__no_graph__" in grad:
        raise Mistake(f"No gradient flows back through your {function}: its result is not part "
                      "of the autograd graph. Did you use .detach(), .item(), .data or NumPy?")
    if isinstance(grad, dict) and "__wrong_shape__" in grad:
        raise Mistake(f"Your {function} returned shape {tuple(grad['__wrong_shape__'])} for an input "
                      f"whose answer has shape {tuple(out.shape)}.")
    if grad is None:
        raise Mistake(f"Your {function}'s result does not depend on its input in autograd's eyes.")
    expect_close(grad, x.grad, f"the gradient of your {function}",
                 hint="The forward values may be right while the backward is not if the result "
                      "goes through an in-place or non-differentiable step.")


def expect_inputs_unchanged(student, function: str, args: tuple, true_function,
                            kwargs: dict | None = None) -> None:
    """``function`` returns the right answer and leaves every tensor argument as it was.

    The value is checked too: leaving the input alone earns nothing for a
    function that does not compute the answer.
    """
    kwargs = kwargs or {}
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    value = student.call(function, *args, **kwargs)
    for i, (old, new) in enumerate(zip(before, student.last.args_after)):
        if isinstance(old, torch.Tensor):
            expect_unchanged(old, new, f"your {function} (argument {i + 1})")
    expect_close(value, true_function(*before, **kwargs), f"{function}(...)")
