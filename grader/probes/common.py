"""Probes every exercise can use."""

import torch


def pull_back(out: torch.Tensor, upstream: torch.Tensor) -> None:
    """``out.backward(upstream)``, by way of a scalar: passing a gradient tensor to backward()
    makes torch import sympy (0.35 s), once in every process that does it."""
    (out * upstream).sum().backward()


def gradient(student, function: str, args: tuple, kwargs: dict, upstream: torch.Tensor,
             wrt: int = 0):
    """d(function(*args))/d(args[wrt]) pulled back from ``upstream``, as the student computes it."""
    args = list(args)
    x = args[wrt].detach().clone().requires_grad_(True)
    args[wrt] = x
    out = student.call(function, *args, **kwargs)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return {"__no_graph__": type(out).__name__}
    if out.shape != upstream.shape:
        return {"__wrong_shape__": list(out.shape)}
    pull_back(out, upstream)
    return x.grad


def gradient_and_difference(student, function: str, args: tuple, kwargs: dict, wrt: int = 0,
                            eps: float = 1e-6):
    """The gradient autograd computes through the student's ``function`` at ``args[wrt]``,
    pulled back from a random upstream gradient, beside a central difference of the same
    function's values: {"autograd": ..., "difference": ...}. The checks compare the two."""
    x = args[wrt].detach()
    first = student.call(function, *args, **kwargs)
    if not isinstance(first, torch.Tensor):
        return {"not_a_tensor": type(first).__name__}
    upstream = torch.randn(first.shape, dtype=first.dtype)
    grad = gradient(student, function, args, kwargs, upstream, wrt)
    if isinstance(grad, dict):
        return {"no_graph": True}
    difference = torch.zeros_like(x)
    with torch.no_grad():
        for i in range(x.numel()):
            total = 0.0
            for sign in (1.0, -1.0):
                nudged = x.clone()
                nudged.view(-1)[i] += sign * eps
                moved = list(args)
                moved[wrt] = nudged
                out = student.call(function, *moved, **kwargs)
                total += sign * float((out.double() * upstream).sum())
            difference.view(-1)[i] = total / (2 * eps)
    return {"autograd": grad, "difference": difference}
