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
