"""Probes for exercise 4: run the student's gradient descent on live leaf tensors.

Parameters with ``.grad``, velocities and models only exist here, in the
worker; the probes report what happened to them as plain data. Any use of
``torch.optim`` during the student's call is recorded in the trace under a
``torch.optim...`` name: torch.optim is plain Python, so the torch-function
recorder alone would not see it.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import types

import torch
from torch import nn


@contextlib.contextmanager
def watching_torch_optim(submission):
    """Record every torch.optim optimizer built and every torch.optim function run in the block.

    ``Optimizer.__init__`` is patched on the base class, so every optimizer
    counts however it was imported; the module-level functions of torch.optim
    are wrapped in their modules, so the functional API (``torch.optim.sgd.sgd``)
    and the steps of an optimizer built earlier count too.
    """
    seen = submission.trace
    patched: list[tuple[object, str, object]] = []
    base_init = torch.optim.Optimizer.__init__

    @functools.wraps(base_init)
    def init(self, *args, **kwargs):
        cls = type(self)
        name = cls.__name__ if getattr(torch.optim, cls.__name__, None) is cls else "Optimizer"
        seen.saw(f"torch.optim.{name}")
        return base_init(self, *args, **kwargs)

    def recorded(function, name):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            seen.saw(name)
            return function(*args, **kwargs)
        return wrapper

    patched.append((torch.optim.Optimizer, "__init__", base_init))
    torch.optim.Optimizer.__init__ = init
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("torch.optim.") or not isinstance(module, types.ModuleType):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, types.FunctionType) and \
                    (value.__module__ or "").startswith("torch.optim"):
                patched.append((module, attr, value))
                setattr(module, attr, recorded(value, f"{module_name}.{attr}"))
    try:
        yield
    finally:
        for owner, attr, original in reversed(patched):
            setattr(owner, attr, original)


def _call(submission, name, *args):
    with watching_torch_optim(submission):
        return submission.call(name, *args)


def _leaves(values: list[torch.Tensor]) -> list[torch.Tensor]:
    return [v.detach().clone().requires_grad_(True) for v in values]


def _state(tensors: list[torch.Tensor]) -> dict:
    """What the caller sees in its own tensors after the student's call."""
    return {
        "values": [t.detach().clone() for t in tensors],
        "grads": [None if t.grad is None else t.grad.detach().clone() for t in tensors],
        "is_leaf": [t.is_leaf for t in tensors],
        "requires_grad": [t.requires_grad for t in tensors],
        "has_grad_fn": [t.grad_fn is not None for t in tensors],
    }


def sgd_step_once(submission, values, grads, lr):
    """One ``sgd_step`` on fresh leaves holding ``values`` with ``.grad`` set to ``grads``.

    A ``None`` in ``grads`` leaves that parameter without a gradient.
    """
    params = _leaves(values)
    for p, g in zip(params, grads):
        if g is not None:
            p.grad = g.clone()
    argument = list(params)
    _call(submission, "sgd_step", argument, lr)
    report = _state(params)
    report["list_entries_replaced"] = [a is not p for a, p in zip(argument, params)]
    return report


def mse_of_linear(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((model(x) - y) ** 2).mean()


def linear_model(weight: torch.Tensor, bias: torch.Tensor) -> nn.Linear:
    model = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return model


def sgd_step_trains_linear(submission, weight, bias, x, y, lr, steps):
    """``steps`` rounds of forward, backward and the student's ``sgd_step(model.parameters(), lr)``.

    The probe never zeroes a gradient itself: that is the student's job.
    """
    model = linear_model(weight, bias)
    report = {"steps_done": 0, "still_trainable": True}
    for step in range(steps):
        mse_of_linear(model, x, y).backward()
        _call(submission, "sgd_step", model.parameters(), lr)
        report["steps_done"] = step + 1
        if not all(p.is_leaf and p.requires_grad for p in model.parameters()):
            report["still_trainable"] = False  # the next backward() could not reach them
            break
    report["weight"] = model.weight.detach().clone()
    report["bias"] = model.bias.detach().clone()
    return report


def momentum_objective(params: list[torch.Tensor], targets: list[torch.Tensor]) -> torch.Tensor:
    """A smooth loss whose gradients change from step to step (shared with the checks)."""
    return sum(((p - t) ** 2 * (1 + t.abs())).sum() + (p.sin() * t).sum()
               for p, t in zip(params, targets))


def momentum_steps(submission, values, targets, lr, momentum, steps):
    """``steps`` rounds of backward and the student's ``sgd_momentum_step``; the probe clears grads."""
    params = _leaves(values)
    velocities = [torch.zeros_like(p) for p in params]
    callers = list(velocities)
    for _ in range(steps):
        for p in params:
            p.grad = None
        momentum_objective(params, targets).backward()
        _call(submission, "sgd_momentum_step", params, velocities, lr, momentum)
    report = _state(params)
    report["velocities"] = [v.detach().clone() for v in callers]
    report["velocity_entries_replaced"] = [a is not b for a, b in zip(velocities, callers)]
    return report


def fit_line_on(submission, x, y, kwargs):
    """The student's ``fit_line(x, y, **kwargs)``, with torch.optim watched."""
    with watching_torch_optim(submission):
        return submission.call("fit_line", x, y, **kwargs)


def descend_with_students_sgd_step(submission, x, y, lr, steps):
    """fit_line's recipe (the stub's steps) with the student's own sgd_step doing the update:
    what a fit_line built correctly on that sgd_step returns (error carried forward)."""
    w = torch.tensor(1.0, dtype=x.dtype, requires_grad=True)
    b = torch.tensor(0.0, dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        submission.call("sgd_step", [w, b], lr)
    return w.item(), b.item()


def fit_line_inputs_after(submission, x, y, kwargs):
    """The caller's ``x`` and ``y`` after ``fit_line(x, y, **kwargs)``: values and requires_grad."""
    with watching_torch_optim(submission):
        submission.call("fit_line", x, y, **kwargs)
    return {"x": x.detach().clone(), "y": y.detach().clone(),
            "requires_grad": [x.requires_grad, y.requires_grad],
            "grads": [x.grad is not None, y.grad is not None]}
