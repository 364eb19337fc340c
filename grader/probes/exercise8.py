"""Probes for exercise 8: checkpoints, inference mode and transfer learning, seen from inside.

Models, optimizers and files only exist in the worker. These probes train a
small network a few steps, let the student's code save or load it (files go
to the worker's private working folder, which disappears with the worker),
run one more step, and report weights, optimizer state, modes and which
parameters moved. The models are seeded, so the grader can build the same
ones to know the right answers.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys

import torch
import torch.nn.functional as F
from torch import nn

from grader.probes.api import save as _save  # torch.save as it was before the submission ran
from grader.probes.exercise7 import preload_torchvision


@contextlib.contextmanager
def checkpoint_path():
    """A file name in the worker's working folder (private to it, and temporary); the file is
    gone again afterwards, whatever the student's code did with it."""
    path = os.path.join(os.getcwd(), "checkpoint.pt")
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def optimizer_step(optimizer) -> None:
    """optimizer.step(), minus its wrappers: the same update, without importing torch._dynamo.

    Optimizer.step is wrapped twice (profiler hooks, and a no_grad region bracketed
    by torch._dynamo.graph_break() for torch.compile); importing torch._dynamo for
    that costs each worker a second. Outside torch.compile the wrappers only
    switch gradients off, so the bare step under no_grad is the same update.
    """
    bare = type(optimizer).step
    while hasattr(bare, "__wrapped__"):
        bare = bare.__wrapped__
    with torch.no_grad():
        bare(optimizer)


def optimizers_without_dynamo_import() -> None:
    """Build optimizers and read or load their state without the 1 s torch._dynamo import.

    Optimizer.add_param_group, state_dict, load_state_dict and zero_grad are wrapped in
    torch._disable_dynamo, which imports torch._dynamo on first use to build a
    "skip me under torch.compile" version of the method. Nothing here runs under
    torch.compile, so that version is the method itself: record it as built.
    """
    if "torch._dynamo" in sys.modules:
        return
    for name in ("add_param_group", "state_dict", "load_state_dict", "zero_grad"):
        method = getattr(torch.optim.Optimizer, name).__wrapped__
        if not hasattr(method, "__dynamo_disable"):
            setattr(method, "__dynamo_disable", method)


def _seeded(build, seed: int):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


# -- checkpoints ---------------------------------------------------------------


def small_net(seed: int) -> nn.Module:
    return _seeded(lambda: nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)), seed)


OPTIMIZERS = {
    "adam": lambda params: torch.optim.Adam(params, lr=0.01),
    "sgd_momentum": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
}


def train(model: nn.Module, optimizer, steps: int, start: int = 0) -> None:
    """``steps`` steps on fixed batches: batch k is the same in every process."""
    for step in range(start, start + steps):
        generator = torch.Generator().manual_seed(100 + step)
        x = torch.randn(6, 5, generator=generator)
        y = torch.randint(0, 3, (6,), generator=generator)
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer_step(optimizer)


def trained(optimizer_name: str, seed: int = 1, steps: int = 3):
    """A model and an optimizer that has state (momentum buffers, Adam's moments)."""
    optimizers_without_dynamo_import()
    model = small_net(seed)
    optimizer = OPTIMIZERS[optimizer_name](model.parameters())
    train(model, optimizer, steps)
    return model, optimizer


def saved_checkpoint(submission, optimizer_name: str, epoch: int) -> dict:
    """save_checkpoint on a trained model; then the file as torch.load(weights_only=True) reads it."""
    model, optimizer = trained(optimizer_name)
    with checkpoint_path() as path:
        submission.call("save_checkpoint", path, model, optimizer, epoch)
        report = {"written": os.path.exists(path), "model_state": model.state_dict(),
                  "optimizer_state": optimizer.state_dict(), "loaded": None, "load_error": None}
        if report["written"]:
            report["loaded"], report["load_error"] = load_safely(path)
    return report


def load_safely(path: str):
    """(contents, None) if torch.load(path, weights_only=True) reads the file, else (None, why)."""
    try:
        return torch.load(path, weights_only=True), None
    except Exception as exc:
        text = str(exc)
        # torch names what it refused: "Unsupported global: GLOBAL torch.nn...Linear was not..."
        match = re.search(r"Unsupported global: GLOBAL (\S+)", text)
        if match:
            return None, f"it holds a pickled {match.group(1)} object"
        return None, f"{type(exc).__name__}: {text.strip().splitlines()[0][:200]}"


def restored(submission, optimizer_name: str, written_by: str) -> dict:
    """Save model A after 3 steps, load into a fresh model B, then one more step on both.

    ``written_by`` is "grader" (a file in the documented format) or "student"
    (written by the student's own save_checkpoint).
    """
    model_a, optimizer_a = trained(optimizer_name, seed=1)
    model_b = small_net(seed=2)
    optimizer_b = OPTIMIZERS[optimizer_name](model_b.parameters())
    with checkpoint_path() as path:
        if written_by == "student":
            try:  # a failure here is save_checkpoint's, not load_checkpoint's: say so
                submission.call("save_checkpoint", path, model_a, optimizer_a, 3)
            except Exception as exc:
                return {"save_problem": f"save_checkpoint raised {type(exc).__name__}"}
            _, problem = load_safely(path)
            if problem:
                return {"save_problem": f"torch.load(path, weights_only=True) refuses the file "
                                        f"it writes: {problem}"}
        else:
            _save({"model": model_a.state_dict(), "optimizer": optimizer_a.state_dict(),
                   "epoch": 3}, path)
        epoch = submission.call("load_checkpoint", path, model_b, optimizer_b)
    report = {
        "epoch": epoch,
        "weights_a": [p.detach().clone() for p in model_a.parameters()],
        "weights_b": [p.detach().clone() for p in model_b.parameters()],
        "optimizer_state_a": optimizer_a.state_dict()["state"],
        "optimizer_state_b": optimizer_b.state_dict()["state"],
    }
    train(model_a, optimizer_a, 1, start=3)
    train(model_b, optimizer_b, 1, start=3)
    report["next_a"] = [p.detach().clone() for p in model_a.parameters()]
    report["next_b"] = [p.detach().clone() for p in model_b.parameters()]
    return report


TRIPPED = []


def _trip():
    """Runs only if an unpickler executes what the file asks for."""
    TRIPPED.append(True)
    return 3


class Tripwire:
    def __reduce__(self):
        return (_trip, ())


def loads_code(submission) -> dict:
    """load_checkpoint on a file that would run a function if loaded unsafely."""
    model, optimizer = trained("adam")
    fresh = small_net(seed=2)
    TRIPPED.clear()
    with checkpoint_path() as path:
        _save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "epoch": Tripwire()}, path)
        try:
            submission.call("load_checkpoint", path, fresh, OPTIMIZERS["adam"](fresh.parameters()))
            raised = None
        except Exception as exc:
            raised = type(exc).__name__
    return {"ran_code": bool(TRIPPED), "raised": raised}


# -- predict_proba -------------------------------------------------------------


def classifier() -> nn.Module:
    """Dropout and batch norm make training mode visibly different from evaluation mode."""
    model = _seeded(lambda: nn.Sequential(
        nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(16, 4), nn.LogSoftmax(dim=1)), seed=8)
    norm = model[1]
    norm.running_mean.copy_(torch.linspace(-0.5, 0.5, 16))
    norm.running_var.copy_(torch.linspace(0.5, 2.0, 16))
    return model


def probabilities(submission, x: torch.Tensor, mode: str) -> dict:
    """predict_proba on a classifier handed over in ``mode``; what the forward pass saw."""
    model = classifier().train(mode == "train")
    forwards = []

    def note(module, inputs):
        forwards.append({"training": any(m.training for m in model.modules()),
                         "grad_enabled": torch.is_grad_enabled()})

    handle = model.register_forward_pre_hook(note)
    try:
        value = submission.call("predict_proba", model, x)
    finally:
        handle.remove()
    return {
        "value": value,
        "requires_grad": isinstance(value, torch.Tensor) and value.requires_grad,
        "forwards": forwards,
        "modes_after": [m.training for m in model.modules()],
    }


def probabilities_when_forward_fails(submission, x: torch.Tensor) -> dict:
    """predict_proba on a classifier in training mode whose forward pass raises: its mode after."""
    model = classifier().train()
    forwards = []

    def fail(module, inputs):
        forwards.append(True)
        raise RuntimeError("this model breaks on purpose in its forward pass")

    handle = model.register_forward_pre_hook(fail)
    raised = None
    try:
        submission.call("predict_proba", model, x)
    except Exception as exc:  # noqa: BLE001 - the failure is the point; only the mode matters
        raised = type(exc).__name__
    finally:
        handle.remove()
    return {"raised": raised, "ran_forward": bool(forwards),
            "modes_after": [m.training for m in model.modules()]}


# -- prepare_for_transfer ------------------------------------------------------


def resnet(architecture: str) -> nn.Module:
    preload_torchvision()
    from torchvision.models import resnet18
    from torchvision.models.resnet import Bottleneck, ResNet

    if architecture == "resnet18":
        return _seeded(lambda: resnet18(weights=None), seed=18)  # weights=None: no download
    # A small ResNet whose head takes 2048 features, not resnet18's 512.
    return _seeded(lambda: ResNet(Bottleneck, [1, 1, 1, 1]), seed=50)


# Reports already made in this worker (one submission, one task): building a ResNet is the
# slow part, and the checks of prepare_for_transfer look at the same run from different sides.
_transfer_reports: dict[tuple[int, str], dict] = {}


def transfer(submission, num_classes: int, architecture: str = "resnet18") -> dict:
    """prepare_for_transfer on a torchvision ResNet, then one SGD step over all its parameters."""
    key = (num_classes, architecture)
    if key not in _transfer_reports:
        _transfer_reports[key] = _transfer(submission, num_classes, architecture)
    return _transfer_reports[key]


def _transfer(submission, num_classes: int, architecture: str) -> dict:
    # One thread: on a busy machine (a class graded in parallel) OpenMP's threads wait on
    # each other and a ResNet step on two images takes a second instead of 0.05 s.
    torch.set_num_threads(1)
    model = resnet(architecture)
    old_head = model.fc
    returned = submission.call("prepare_for_transfer", model, num_classes)
    head = model.fc
    report = {
        "returned_the_model": returned is model,
        "head_type": type(head).__name__,
        "head_is_new": head is not old_head,
        "head_in_features": getattr(head, "in_features", None),
        "head_out_features": getattr(head, "out_features", None),
        "features_before_head": old_head.in_features,
        "trainable": sorted(n for n, p in model.named_parameters() if p.requires_grad),
        "parameters": len(list(model.parameters())),
    }
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    generator = torch.Generator().manual_seed(7)
    x = torch.randn(2, 3, 32, 32, generator=generator)
    target = torch.tensor([0, num_classes - 1])
    model.train()
    try:
        with submission.trace:  # the head may be the student's own module
            logits = model(x)
        report["output_shape"] = list(logits.shape)
        F.cross_entropy(logits, target).backward()
        report["step_error"] = None
    except RuntimeError as exc:
        report["output_shape"] = report.get("output_shape")
        report["step_error"] = str(exc).splitlines()[0][:200]
    with torch.no_grad():  # one plain SGD step over every parameter that got a gradient
        for p in model.parameters():
            if p.grad is not None:
                p.add_(p.grad, alpha=-0.1)
    with torch.no_grad():  # how far each parameter moved; the check decides what moved
        report["moved"] = {n: (p - before[n]).abs().max().item()
                           for n, p in model.named_parameters()}
    return report
