"""Exercise 2 - Autograd (reference solution)."""

from collections.abc import Callable

import torch
from torch import nn


def q_gradients(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """`(dQ/da, dQ/db)` for `Q = sum(3*a**3 - b**2)`, by autograd."""
    # Detached copies share the caller's data but not its autograd state, so
    # nothing we do here leaves a .grad or a requires_grad flag behind.
    a = a.detach().requires_grad_()
    b = b.detach().requires_grad_()
    q = (3 * a**3 - b**2).sum()
    # autograd.grad returns the gradients instead of accumulating them in .grad.
    grad_a, grad_b = torch.autograd.grad(q, (a, b))
    return grad_a, grad_b


def linear_mse_grads(
    x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """`(dL/dw, dL/db)` for `L = mean((w*x + b - y)**2)`, by the chain rule."""
    # Plain numbers in, plain numbers out: keep the result out of any graph.
    x, y, w, b = x.detach(), y.detach(), w.detach(), b.detach()
    residual = w * x + b - y
    # d/dr of r**2 is 2r; dr/dw = x and dr/db = 1; the mean carries through.
    grad_w = (2 * residual * x).mean()
    grad_b = (2 * residual).mean()
    return grad_w, grad_b


def numerical_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """Central finite differences of the scalar function `f` at `x`, in float64."""
    # A contiguous float64 copy: x itself is never written to, and view(-1)
    # works whatever x's shape and strides.
    point = x.detach().to(torch.float64).clone(memory_format=torch.contiguous_format)
    grad = torch.zeros_like(point)
    for k in range(point.numel()):
        step = torch.zeros_like(point)
        step.view(-1)[k] = eps
        grad.view(-1)[k] = (float(f(point + step)) - float(f(point - step))) / (2 * eps)
    return grad


def capture_activations(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run `model(x)` and return `{qualified_name: output}` for every leaf module."""
    activations: dict[str, torch.Tensor] = {}

    def record_as(name: str):
        def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            activations[name] = output

        return hook

    handles = []
    try:
        for name, module in model.named_modules():
            if next(module.children(), None) is None:  # a leaf: no submodules
                handles.append(module.register_forward_hook(record_as(name)))
        model(x)
    finally:
        # Hooks outlive this call unless removed; do it even if forward raised.
        for handle in handles:
            handle.remove()
    return activations
