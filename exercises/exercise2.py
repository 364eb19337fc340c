"""Exercise 2 - Autograd.

When a tensor has `requires_grad=True`, PyTorch records every operation done
with it in a graph. Calling `.backward()` on a scalar result (or
`torch.autograd.grad(result, inputs)`) walks that graph backwards and applies
the chain rule, giving the derivative of the result with respect to each input.

Three habits matter here:

1. `.backward()` ADDS into each leaf's `.grad`. Running it on tensors that
   belong to someone else leaves a `.grad` behind on them; work on your own
   copy instead (`t.detach().requires_grad_()`), or use `torch.autograd.grad`,
   which returns the gradients without storing them anywhere.
2. Autograd is a convenience, not magic: for a small formula you can derive the
   gradient on paper, and a finite-difference estimate can check either one.
3. Forward hooks (`module.register_forward_hook`) let you look inside a model
   while it runs. Every registration returns a handle; call `handle.remove()`
   when you are done, or the hook keeps firing on every later forward pass.
"""

from collections.abc import Callable

import torch
from torch import nn


def q_gradients(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients of `Q = sum(3 * a**3 - b**2)`, computed by autograd.

    On paper `dQ/da = 9 * a**2` and `dQ/db = -2 * b`; here autograd must do the
    work, so do not type those formulas in.

    Args:
        a: any shape, floating point.
        b: same shape as `a`.

    Returns:
        `(dQ/da, dQ/db)`, shaped like `a` and `b`. The caller's `a` and `b`
        must be left as they were: no `.grad` stored on them and their
        `requires_grad` flag unchanged (the caller may pass tensors that do or
        do not require grad).

    Hint: build `Q` from detached copies that require grad
    (`a.detach().requires_grad_()`), then use `torch.autograd.grad(Q, (a2, b2))`
    or `Q.backward()` and read the copies' `.grad`.
    """
    raise NotImplementedError


def linear_mse_grads(
    x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients of a linear model's mean squared error, derived by hand.

    The loss is `L = mean((w * x + b - y) ** 2)` over the N samples. Work out
    `dL/dw` and `dL/db` on paper, then compute them with ordinary tensor
    arithmetic.

    Args:
        x: inputs, shape `(N,)`.
        y: targets, shape `(N,)`.
        w: the slope, a scalar tensor (shape `()`).
        b: the intercept, a scalar tensor (shape `()`).

    Returns:
        `(dL/dw, dL/db)`, two scalar tensors.

    Forbidden: `.backward()` and anything from `torch.autograd`; the point is
    to do autograd's job yourself.

    Hint: call the residual `r = w * x + b - y`. By the chain rule
    `dL/dw = mean(2 * r * x)` and `dL/db = mean(2 * r)`.
    """
    raise NotImplementedError


def numerical_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """Estimate the gradient of a scalar function by central differences.

    For every element `x[k]`, nudge it by `+eps` and by `-eps` (leaving all the
    other elements alone) and compute

        grad[k] = (f(x + eps * e_k) - f(x - eps * e_k)) / (2 * eps)

    where `e_k` is zero everywhere except a 1 at position `k`. This is the
    standard way to check a gradient you derived by hand or by autograd.

    Args:
        f: takes a tensor shaped like `x` and returns a scalar (a 0-dim tensor
            or a Python number).
        x: the point, any shape, float64 (float32 is too coarse for eps=1e-6).
            Must not be changed: when you return, `x` holds its original values.
        eps: the step size.

    Returns:
        a float64 tensor shaped like `x`.

    Hint: work on a float64 copy, `x.detach().to(torch.float64).clone()`.
    `t.view(-1)[k]` reaches element `k` of a contiguous tensor of any shape,
    and `float(f(...))` turns the result into a Python number.
    """
    raise NotImplementedError


def capture_activations(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run `model(x)` and record the output of every leaf submodule.

    A leaf is a module with no children of its own (a `Linear`, a `ReLU`, a
    `Conv2d`; not the `Sequential` that holds them). Name each one by its
    qualified name from `model.named_modules()`, for example `"0"`,
    `"encoder.fc1"` or `"features.2"`.

    Args:
        model: any `nn.Module`.
        x: the input to pass to `model`.

    Returns:
        a dict `{qualified_name: output}` with one entry per leaf module that
        ran during the forward pass.

    Every hook you register must be removed before you return, even when
    `model(x)` raises an exception; otherwise the model keeps recording on
    every later call.

    Hint: `module.register_forward_hook(hook)` calls `hook(module, inputs,
    output)` after the module's forward and returns a handle with `.remove()`.
    A module is a leaf when `next(module.children(), None) is None`. Put the
    forward pass in `try:` and remove the handles in `finally:`.
    """
    raise NotImplementedError
