"""Exercise 6 - A device-aware training loop (reference solution)."""

from collections.abc import Iterable

import torch
from torch import nn

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def pick_device() -> torch.device:
    """CUDA when available, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def train_one_epoch(
    model: nn.Module,
    loader: Batches,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """One pass over `loader`; returns the mean batch loss as a Python float."""
    model.train()
    total_loss = 0.0
    num_batches = 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        # .item() gives a plain float, so no batch's graph outlives its step.
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches


def evaluate(model: nn.Module, loader: Batches, device: torch.device) -> float:
    """Fraction of samples whose argmax prediction equals the target."""
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            predictions = model(inputs).argmax(dim=1)
            correct += (predictions == targets).sum().item()
            total += targets.numel()
    return correct / total


def fit(
    model: nn.Module,
    train_loader: Batches,
    val_loader: Batches,
    epochs: int,
    lr: float,
    device: torch.device,
) -> dict[str, list[float]]:
    """Train for `epochs` epochs; returns per-epoch training loss and validation accuracy."""
    # Move first, then build the optimizer, so it holds the parameters on `device`.
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # Works for raw scores and for log-probabilities alike (log_softmax is
    # idempotent), so both LeNet and build_mlp's models train with it.
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"train_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["train_loss"].append(
            train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        )
        history["val_acc"].append(evaluate(model, val_loader, device))
    return history
