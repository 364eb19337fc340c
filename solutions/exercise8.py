"""Exercise 8 - Saving, inference and transfer learning (reference solution)."""

import os

import torch
from torch import nn


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    epoch: int,
) -> None:
    """Save the model's and optimizer's state dicts and the epoch to `path`."""
    # Only state dicts and plain values, so the file loads with weights_only=True.
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": int(epoch),
    }
    torch.save(checkpoint, path)


def load_checkpoint(
    path: str | os.PathLike, model: nn.Module, optimizer: torch.optim.Optimizer
) -> int:
    """Restore `model` and `optimizer` in place from `path`; return the saved epoch."""
    # weights_only=True refuses pickled code. map_location="cpu" lets a checkpoint
    # written on a GPU load anywhere; load_state_dict copies onto the model's device.
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])


def predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Probabilities from a log-probability model, in eval mode, without autograd."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x).exp()  # exp undoes the model's final LogSoftmax
    finally:
        model.train(was_training)


def prepare_for_transfer(model: nn.Module, num_classes: int) -> nn.Module:
    """Freeze a ResNet and give it a fresh, trainable `fc` head for `num_classes`."""
    for param in model.parameters():
        param.requires_grad_(False)
    # A new layer's parameters require grad, so the head is the only trainable part.
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
