"""Probes for exercise 2: what autograd did, seen from inside the worker.

Whether autograd's engine ran, whether a ``.grad`` was left on the caller's
tensors, how many hooks a model still carries: only visible where the code
runs. The functions a student's ``numerical_grad`` differentiates and the
models ``capture_activations`` runs are built here, chosen by name, because
only plain data crosses to the worker. The grader builds the same ones (they
are deterministic) to know the right answers.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

# -- watching autograd's engine ---------------------------------------------


class _EngineWatch:
    """Stands in for autograd's engine: notes that a backward pass ran, then runs it."""

    def __init__(self, engine):
        self.engine = engine
        self.ran = False

    def run_backward(self, *args, **kwargs):
        self.ran = True
        return self.engine.run_backward(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.engine, name)


@contextlib.contextmanager
def watching_autograd():
    """Every backward pass - ``.backward()``, ``torch.autograd.grad``, ``torch.func`` -
    goes through ``Variable._execution_engine.run_backward``."""
    from torch.autograd.variable import Variable

    watch = _EngineWatch(Variable._execution_engine)
    Variable._execution_engine = watch
    try:
        yield watch
    finally:
        Variable._execution_engine = watch.engine


def call_watching_autograd(submission, function: str, *args) -> dict:
    """Call ``function`` and report its value, whether autograd ran, and the arguments after."""
    with watching_autograd() as watch:
        value = submission.call(function, *args)
    return {"value": value, "autograd_ran": watch.ran, "args_after": list(args)}


def q_gradients_side_effects(submission, a: torch.Tensor, b: torch.Tensor,
                             requires_grad: bool) -> dict:
    """q_gradients on tensors that do (or do not) require grad: what is left on them after."""
    a = a.detach().clone().requires_grad_(requires_grad)
    b = b.detach().clone().requires_grad_(requires_grad)
    with watching_autograd() as watch:
        value = submission.call("q_gradients", a, b)
    return {
        "value": value,
        "autograd_ran": watch.ran,
        "a_grad": a.grad,
        "b_grad": b.grad,
        "a_requires_grad": a.requires_grad,
        "b_requires_grad": b.requires_grad,
        "a_after": a,
        "b_after": b,
    }


# -- scalar functions for numerical_grad ------------------------------------


def sum_of_cubes(x):
    return (x**3).sum()


def log_sum_exp(x):
    return torch.logsumexp(x.reshape(-1), dim=0)


def sin_times_x(x):
    return (torch.sin(x) * x).sum()


def tanh_of_matmul(x):
    """Only works on a 2-D x: a student that flattens x before calling f fails here."""
    if x.dim() != 2:
        raise ValueError(f"this f takes a 2-D tensor shaped like x, but got shape "
                         f"{tuple(x.shape)}: call f on the whole (nudged) x, not a flattened one")
    weights = torch.linspace(-1.0, 1.0, x.shape[1] * 2, dtype=x.dtype).reshape(x.shape[1], 2)
    return torch.tanh(x @ weights).sum()


SCALAR_FUNCTIONS = {f.__name__: f for f in (sum_of_cubes, log_sum_exp, sin_times_x,
                                            tanh_of_matmul)}


def numerical_gradient(submission, function: str, x: torch.Tensor, eps: float | None = None) -> dict:
    """The student's numerical_grad of the named function at x; and x as it is afterwards."""
    kwargs = {} if eps is None else {"eps": eps}
    value = submission.call("numerical_grad", SCALAR_FUNCTIONS[function], x, **kwargs)
    return {"value": value, "x_after": x}


# -- models for capture_activations -----------------------------------------


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc1(x))


class TwoPart(nn.Module):
    """Nested modules, a parameter-free leaf, and a leaf that never runs (``spare``)."""

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.head = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
        self.spare = nn.Linear(3, 3)

    def forward(self, x):
        return self.head(self.encoder(x))


class BreaksHalfway(nn.Module):
    """Runs two layers, then raises: hooks must still be removed."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        self.act(self.fc1(x))
        raise RuntimeError("this model breaks on purpose halfway through its forward pass")


def conv_net():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))


MODELS = {"two_part": TwoPart, "breaks_halfway": BreaksHalfway, "conv_net": conv_net}


def build_model(name: str) -> nn.Module:
    """The same weights in the worker and in the grader: seeded on a private RNG stream."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1234)
        return MODELS[name]()


def hooks_on(model: nn.Module) -> int:
    """Forward hooks still registered on the model or any submodule, or globally."""
    from torch.nn.modules import module as nn_module

    count = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
    return count + len(nn_module._global_forward_hooks) + len(nn_module._global_forward_pre_hooks)


def activations(submission, model: str, x: torch.Tensor) -> dict:
    """capture_activations on the named model; what it returned and the hooks it left."""
    net = build_model(model)
    report = {"value": None, "raised": None}
    try:
        report["value"] = submission.call("capture_activations", net, x)
    except Exception as exc:
        if model != "breaks_halfway":
            raise
        report["raised"] = type(exc).__name__
    report["hooks_left"] = hooks_on(net)
    return report
