"""Exercise 4 - Gradient descent by hand.

`torch.optim` hides three small steps: read each parameter's `.grad`, move the
parameter against it, and clear the gradient for the next step. Here you write
those steps yourself. `torch.optim` is forbidden in every task of this exercise.

Three mistakes raise no error but break training, so watch for them:

1. `p = p - lr * p.grad` does NOT update the parameter. It builds a new tensor
   and rebinds the local name `p` to it; the model's parameter never moves.
   Update in place instead: `p.sub_(...)` or `p -= ...`.
2. An in-place update of a leaf that requires grad must happen inside
   `with torch.no_grad():`. Outside it PyTorch refuses ("a leaf Variable that
   requires grad is being used in an in-place operation"), and the update is
   not something autograd should record anyway.
3. `.backward()` ADDS into `.grad`. If you never zero the gradients, every step
   uses the sum of all gradients so far and training drifts or diverges.
"""

from collections.abc import Iterable

import torch


def sgd_step(params: Iterable[torch.Tensor], lr: float) -> None:
    """One step of plain stochastic gradient descent, in place.

    For every tensor `p` in `params` that has a gradient (`p.grad is not None`):
    subtract `lr * p.grad` from `p` in place, then zero the gradient
    (`p.grad.zero_()` or `p.grad = None`). Skip tensors whose `.grad` is None.

    Args:
        params: leaf tensors with `requires_grad=True`, any shapes (for example
            `model.parameters()`, which can only be iterated once).
        lr: the learning rate, a Python float.

    Returns:
        None. Each `p` must stay the very same leaf object, still with
        `requires_grad=True`, holding the updated values.

    Hint: wrap the updates in `with torch.no_grad():` and use `p.sub_(lr * p.grad)`.
    Never write `p = p - lr * p.grad` (see the module docstring).
    """
    raise NotImplementedError


def sgd_momentum_step(
    params: Iterable[torch.Tensor],
    velocities: Iterable[torch.Tensor],
    lr: float,
    momentum: float = 0.9,
) -> None:
    """One step of SGD with momentum, using PyTorch's convention.

    `params` and `velocities` go together pairwise: `velocities[i]` has the shape
    of `params[i]` and starts as zeros (`torch.zeros_like(p)`). For every
    parameter that has a gradient:

        v = momentum * v + p.grad      # update the velocity IN PLACE
        p = p - lr * v                 # update the parameter IN PLACE

    Ten calls of this function must give the same parameters as ten steps of
    `torch.optim.SGD(params, lr=lr, momentum=momentum)`.

    Args:
        params: leaf tensors with `requires_grad=True` and gradients filled in.
        velocities: one tensor per parameter, same shape, updated in place so the
            caller's list carries the velocity to the next call.
        lr: the learning rate.
        momentum: how much of the previous velocity is kept, in [0, 1).

    Returns:
        None. Leave the gradients as they are: clearing them is the caller's job.

    Hint: inside `torch.no_grad()`, `v.mul_(momentum).add_(p.grad)` updates the
    velocity in place. `v = momentum * v + p.grad` would only rebind the name `v`,
    so the caller's velocity would stay zero forever.
    """
    raise NotImplementedError


def fit_line(
    x: torch.Tensor, y: torch.Tensor, lr: float = 0.1, steps: int = 1000
) -> tuple[float, float]:
    """Fit `y ~ w * x + b` by gradient descent, with autograd computing gradients.

    Start from `w = 1.0` and `b = 0.0` (scalar tensors with `requires_grad=True`).
    Repeat `steps` times: compute the mean squared error
    `mean((w * x + b - y) ** 2)`, call `.backward()`, move `w` and `b` against
    their gradients with step size `lr`, and zero the gradients.

    Args:
        x: inputs, shape `(N,)`.
        y: targets, shape `(N,)`. Neither may be changed.
        lr: the learning rate.
        steps: how many gradient-descent steps to take.

    Returns:
        `(w, b)` as Python floats (use `.item()`). On data from
        `y = 2.25 * x + 1.25` both must be within 1e-2 of the truth.

    Forbidden: `torch.optim`, and closed-form solvers (`torch.linalg.lstsq`,
    `pinv`, `solve`, `inv`). Hint: your `sgd_step` does the update and the zeroing.
    """
    raise NotImplementedError
