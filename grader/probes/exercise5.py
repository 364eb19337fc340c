"""Probes for exercise 5: build the student's modules in the worker and describe them.

A module cannot travel back to the grader, so the probes report what can be
checked as data: each submodule's kind and settings, the state_dict, the
outputs for inputs the check chose, which parameters a backward() reached.
Exercise 5 forbids nothing, so the student's code runs untraced (tracing
costs time). The test models for count_parameters and init_weights_ are built here from a
name, by ``sample_model``, which the checks also call to know what to expect.
"""

from __future__ import annotations

import torch
from torch import nn

from grader.probes.api import student_traceback

SETTINGS = (int, float, bool, str, tuple)


def kind(module: nn.Module) -> str:
    """The torch.nn class a module is or derives from (``Conv2d`` for a subclass of it)."""
    for cls in type(module).__mro__:
        if (cls.__module__ or "").startswith("torch.nn."):
            return cls.__name__
    return type(module).__name__


def describe(module: nn.Module) -> dict:
    """Kind, class name and plain settings (in_features, kernel_size, dim, ...) of a module."""
    settings = {k: v for k, v in vars(module).items()
                if not k.startswith("_") and k != "training" and isinstance(v, SETTINGS)}
    if hasattr(module, "bias"):
        settings["has_bias"] = getattr(module, "bias", None) is not None
    return {"kind": kind(module), "class": type(module).__name__, "settings": settings}


def structure(model) -> dict:
    """What the grader can check of a model without holding it."""
    if not isinstance(model, nn.Module):
        return {"is_module": False, "class": type(model).__name__}
    return {
        "is_module": True,
        "kind": kind(model),
        "class": type(model).__name__,
        "children": [[name, describe(child)] for name, child in model.named_children()],
        "modules": [[name, describe(m)] for name, m in model.named_modules() if name],
        "parameters": [[name, list(p.shape), p.requires_grad]
                       for name, p in model.named_parameters()],
        "state_dict": dict(model.state_dict()),
    }


def _forward(submission, model, x):
    """``model(x)``, or what it raised, with the student's own traceback lines."""
    try:
        return model(x)
    except Exception as exc:  # noqa: BLE001 - whatever the student's forward raised, as data
        return {"raised": f"{type(exc).__name__}: {exc}"[:1000],
                "traceback": student_traceback(exc, submission.module.__file__ or "")[-3000:]}


def lenet(submission, num_classes=None, inputs=()):
    """A student LeNet (default arguments when ``num_classes`` is None): structure and outputs."""
    LeNet = submission.module.LeNet
    model = LeNet() if num_classes is None else LeNet(num_classes)
    report = structure(model)
    if report["is_module"]:
        report["outputs"] = [_forward(submission, model, x) for x in inputs]
    return report


def lenet_with_weights(submission, state_dict, inputs):
    """A student LeNet() holding the grader's weights: its outputs, or why they do not load."""
    model = submission.module.LeNet()
    if not isinstance(model, nn.Module):
        return structure(model)
    report = {"is_module": True, "class": type(model).__name__}
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as error:
        return {**report, "load_error": str(error)[:3000]}
    model.eval()
    return {**report, "outputs": [_forward(submission, model, x) for x in inputs]}


def lenet_gradients(submission, x, upstream):
    """Gradients of ``(LeNet()(x) * upstream).sum()`` for every named parameter (None if none)."""
    model = submission.module.LeNet()
    out = _forward(submission, model, x)
    graph = isinstance(out, torch.Tensor) and out.requires_grad
    report = {"state_dict": dict(model.state_dict()), "graph": graph,
              "output": out if isinstance(out, dict) else None}
    if graph:
        (out * upstream).sum().backward()
    report["grads"] = {name: None if p.grad is None else p.grad.clone()
                       for name, p in model.named_parameters()}
    return report


def mlp(submission, sizes, x):
    """``build_mlp(sizes)`` (its default when ``sizes`` is None): structure and ``model(x)``."""
    model = submission.module.build_mlp() if sizes is None else submission.module.build_mlp(sizes)
    report = structure(model)
    if report["is_module"]:
        report["output"] = _forward(submission, model, x)
    return report


class Tied(nn.Module):
    """Two uses of one Linear: its parameters are counted once."""

    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(6, 6)
        self.decode = self.encode
        self.out = nn.Linear(6, 2)


def sample_model(name: str) -> nn.Module:
    """The grader's own test models, by name (the checks build the same ones)."""
    if name == "linear":
        return nn.Linear(3, 2)
    if name in ("convnet", "convnet without a bias"):
        # A layer built with bias=False is an edge case with a check of its own: only
        # "convnet without a bias" has one, so no other check trips over it.
        return nn.Sequential(
            nn.Sequential(nn.Conv2d(3, 8, 5), nn.BatchNorm2d(8), nn.ReLU()),
            nn.Sequential(nn.Conv2d(8, 16, 3, bias=name == "convnet"), nn.ReLU(), nn.MaxPool2d(2)),
            nn.Flatten(),
            nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)),
        )
    if name == "tied":
        return Tied()
    if name == "mlp":
        return nn.Sequential(nn.Linear(100, 200), nn.ReLU(), nn.Linear(200, 50))
    if name == "frozen convnet":
        model = sample_model("convnet")
        model[0].requires_grad_(False)
        model[3][2].bias.requires_grad_(False)
        return model
    raise ValueError(f"no test model called {name!r}")


def count(submission, name, trainable_only=None):
    """The student's count_parameters on one of the test models."""
    model = sample_model(name)
    if trainable_only is None:
        return submission.call("count_parameters", model)
    return submission.call("count_parameters", model, trainable_only=trainable_only)


def initialise(submission, name):
    """``init_weights_`` on a test model: the state before and after, and what it returned."""
    model = sample_model(name)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    returned = submission.call("init_weights_", model)
    return {"before": before, "after": dict(model.state_dict()),
            "returned_model": returned is model,
            "returned": None if returned is None else type(returned).__name__}
