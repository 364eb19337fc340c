"""Exercise 8 - Saving, inference and transfer learning.

A trained model is only useful if you can store it, load it again and use it.

- Save *state dicts*, not whole objects. `model.state_dict()` is a plain
  dictionary of tensors; `optimizer.state_dict()` holds the optimizer's
  running state (momentum buffers, Adam's moment estimates, step counts).
  Without the optimizer's state, a resumed run does not continue exactly
  where it stopped.
- `torch.load` can run arbitrary code hidden in a pickle. Loading with
  `weights_only=True` only accepts tensors and plain containers, so files
  you write must stay within that.
- Inference has two switches: `model.eval()` changes how layers such as
  dropout and batch norm behave, and `torch.no_grad()` stops autograd from
  recording. They are independent; you usually want both.
- Transfer learning reuses a network trained on one task: freeze what it has
  learned and train only a new final layer for your classes.
"""

import os

import torch
from torch import nn


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    epoch: int,
) -> None:
    """Write a training checkpoint to `path`.

    Save one dictionary with exactly these keys:

        {"model": model's state dict,
         "optimizer": optimizer's state dict,
         "epoch": epoch as a Python int}

    Args:
        path: where to write the file.
        model: the model being trained.
        optimizer: its optimizer.
        epoch: the number of the epoch just finished.

    Returns:
        None. The file must load with `torch.load(path, weights_only=True)`.

    Hint: `torch.save(obj, path)`. Store state dicts, never the model or
    optimizer objects themselves (those do not load with `weights_only=True`).
    """
    raise NotImplementedError


def load_checkpoint(
    path: str | os.PathLike, model: nn.Module, optimizer: torch.optim.Optimizer
) -> int:
    """Restore a checkpoint written by `save_checkpoint` and return its epoch.

    Load the file safely, then copy the saved states into the `model` and
    `optimizer` you were given (in place: do not create new ones). After
    saving and loading, training must resume exactly as if it had never
    stopped.

    Args:
        path: a file written by `save_checkpoint`.
        model: a model with the same architecture as the saved one.
        optimizer: an optimizer of the same kind, over `model`'s parameters.

    Returns:
        the saved epoch, as a Python int.

    Hint: `torch.load(path, weights_only=True)`, then
    `model.load_state_dict(...)` and `optimizer.load_state_dict(...)`.
    """
    raise NotImplementedError


def predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities for a batch, from a model that outputs log-probabilities.

    The model ends in `LogSoftmax`, so it returns `log p`; turn that into `p`.
    Run the model in evaluation mode and without gradient tracking, and leave it
    in the mode it was in when you got it: a model handed over in training mode
    goes back to training mode.

    Args:
        model: returns log-probabilities of shape `(N, K)`.
        x: a batch of inputs, `N >= 1`.

    Returns:
        shape `(N, K)`; every row is non-negative and sums to 1. The result
        must not require grad.

    Hint: remember `was_training = model.training`, call `model.eval()`, run the
    forward pass inside `with torch.no_grad():`, and finish with
    `model.train(was_training)`. A `try`/`finally` makes sure the mode is
    restored even if the forward pass fails.
    """
    raise NotImplementedError


def prepare_for_transfer(model: nn.Module, num_classes: int) -> nn.Module:
    """Adapt a torchvision ResNet to a new classification task.

    1. Freeze every existing parameter (`requires_grad = False`), so training
       does not change what the network has already learned.
    2. Replace the final layer `model.fc` by a fresh `nn.Linear` with the same
       number of inputs (`model.fc.in_features`) and `num_classes` outputs.
       A newly built layer requires grad, so it is the only trainable part.

    Args:
        model: a ResNet from `torchvision.models` (for example
            `resnet18(weights=None)`); it is modified in place.
        num_classes: the number of classes of the new task.

    Returns:
        the same `model` object.

    Hint: loop over `model.parameters()` and call `p.requires_grad_(False)`
    BEFORE adding the new layer, otherwise you freeze that one too.
    """
    raise NotImplementedError
