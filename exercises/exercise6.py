"""Exercise 6 - A device-aware training loop.

The same training code should run on a laptop's CPU and on a GPU. The rule that
makes this work: never hard-code a device. Do not write `.cuda()`,
`device="cuda"` or `torch.device("cpu")` inside these functions; use the
`device` argument you are given (only `pick_device` decides which device exists).
Every tensor an operation touches must live on the same device, so the model's
parameters, the inputs AND the targets all have to be moved there. Forgetting
one of them works on a CPU-only machine and fails on the first GPU run.

A batch from a loader is a pair `(inputs, targets)`: `inputs` of shape
`(B, ...)` and `targets` of shape `(B,)` holding int64 class indices.
"""

from collections.abc import Iterable

import torch
from torch import nn

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def pick_device() -> torch.device:
    """The device to train on: `torch.device("cuda")` when CUDA is available,
    otherwise `torch.device("cpu")`.

    Hint: `torch.cuda.is_available()`. This is the one place where a device name
    may be written out.
    """
    raise NotImplementedError


def train_one_epoch(
    model: nn.Module,
    loader: Batches,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """Train `model` for one pass over `loader`; return the mean batch loss.

    The model is already on `device`. First put it in training mode
    (`model.train()`: dropout and batch-norm behave differently in training).
    Then, for every batch `(inputs, targets)`:

        1. move inputs and targets to `device` (`.to(device)`)
        2. zero the gradients          optimizer.zero_grad()
        3. forward                     outputs = model(inputs)
        4. loss                        loss = loss_fn(outputs, targets)
        5. backward                    loss.backward()
        6. step                        optimizer.step()

    Returns:
        The mean of the batch losses, as a Python float.

    Hint: add up `loss.item()`, not `loss`. `total += loss` keeps every batch's
    autograd graph alive until the end of the epoch.
    """
    raise NotImplementedError


def evaluate(model: nn.Module, loader: Batches, device: torch.device) -> float:
    """Accuracy of `model` on `loader`, as a Python float in [0, 1].

    Put the model in evaluation mode (`model.eval()`) and run it under
    `torch.no_grad()` (no graph is needed to measure). For every batch, move
    inputs and targets to `device`; the prediction for a sample is the index of
    its largest output (`outputs.argmax(dim=1)`, shape `(B,)`).

    Returns:
        (number of correct predictions) / (number of samples), over all batches.
        Count samples, not batches: the last batch may be smaller.
    """
    raise NotImplementedError


def fit(
    model: nn.Module,
    train_loader: Batches,
    val_loader: Batches,
    epochs: int,
    lr: float,
    device: torch.device,
) -> dict[str, list[float]]:
    """Train for `epochs` epochs and track progress.

    Move the model to `device` first, then build the optimizer from
    `model.parameters()`: use `torch.optim.Adam(model.parameters(), lr=lr)` (the
    grader's epochs and lr are chosen for Adam; plain SGD would need many more
    epochs to reach the same accuracy) and a classification loss
    (`nn.CrossEntropyLoss()`).
    Each epoch, call your `train_one_epoch` and then your `evaluate` on `val_loader`.

    Returns:
        `{"train_loss": [...], "val_acc": [...]}`, one Python float per epoch in
        each list.

    Hint: `nn.CrossEntropyLoss` also works when the model already ends in
    `LogSoftmax`: the log-softmax of log-probabilities leaves them unchanged.
    """
    raise NotImplementedError
