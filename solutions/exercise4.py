"""Exercise 4 - Gradient descent by hand (reference solution)."""

from collections.abc import Iterable

import torch


def sgd_step(params: Iterable[torch.Tensor], lr: float) -> None:
    """Plain SGD in place: `p -= lr * p.grad`, then zero the gradient."""
    # The update is bookkeeping, not part of the model's computation: no_grad
    # keeps autograd from recording it (and allows in-place ops on leaves).
    with torch.no_grad():
        for p in params:
            if p.grad is None:
                continue
            p.sub_(lr * p.grad)
            # backward() accumulates into .grad, so clear it for the next step.
            p.grad.zero_()


def sgd_momentum_step(
    params: Iterable[torch.Tensor],
    velocities: Iterable[torch.Tensor],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """SGD with momentum, PyTorch's convention: `v = momentum*v + grad; p -= lr*v`."""
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            # In place, so the caller's velocity tensors carry over to the next step.
            v.mul_(momentum).add_(p.grad)
            p.sub_(lr * v)


def fit_line(
    x: torch.Tensor, y: torch.Tensor, lr: float = 0.1, steps: int = 1000
) -> tuple[float, float]:
    """Fit `y ~ w*x + b` by minimising the mean squared error with gradient descent."""
    w = torch.tensor(1.0, dtype=x.dtype, requires_grad=True)
    b = torch.tensor(0.0, dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        sgd_step([w, b], lr)
    return w.item(), b.item()
