"""Probes every exercise can use."""

import torch


def pull_back(out: torch.Tensor, upstream: torch.Tensor) -> None:
    """``out.backward(upstream)``, by way of a scalar: passing a gradient tensor to backward()
    makes torch import sympy (0.35 s), once in every process that does it."""
    (out * upstream).sum().backward()


def gradient(submission, function: str, args: tuple, kwargs: dict, upstream: torch.Tensor,
             wrt: int = 0):
    """d(function(*args))/d(args[wrt]) pulled back from ``upstream``, as the student computes it."""
    args = list(args)
    x = args[wrt].detach().clone().requires_grad_(True)
    args[wrt] = x
    out = submission.call(function, *args, **kwargs)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return {"__no_graph__": type(out).__name__}
    if out.shape != upstream.shape:
        return {"__wrong_shape__": list(out.shape)}
    pull_back(out, upstream)
    return x.grad


def gradient_of_sum(submission, function: str, x: torch.Tensor, kwargs: dict):
    """d(sum of function(x))/dx, as the student's code computes it, in one call."""
    return gradient_and_difference(submission, function, (x,), kwargs, directions=0,
                                   upstream_ones=True).get("gradient")


def gradient_and_difference(submission, function: str, args: tuple, kwargs: dict, wrt: int = 0,
                            eps: float = 1e-6, directions: int = 1, upstream_ones: bool = False):
    """How the student's ``function`` changes along random directions at ``args[wrt]``,
    as autograd computes it (the gradient pulled back from a random upstream, dotted with
    each direction) and as a central difference of the function's own values gives it:
    {"gradient", "autograd": (directions,), "difference": (directions,)}. The checks compare
    the two. A random direction (and a random upstream) catches a backward that disagrees
    anywhere, almost surely, in 2 calls rather than 2 per element (a slow student function
    stays within its timeout)."""
    moved = list(args)
    x = args[wrt].detach()
    moved[wrt] = x.clone().requires_grad_(True)
    out = submission.call(function, *moved, **kwargs)
    if not isinstance(out, torch.Tensor):
        return {"not_a_tensor": type(out).__name__}
    if not out.requires_grad:
        return {"no_graph": True}
    upstream = torch.ones_like(out) if upstream_ones else torch.randn(out.shape, dtype=out.dtype)
    pull_back(out, upstream)
    grad = moved[wrt].grad
    if grad is None or not directions:
        return {"gradient": grad, "autograd": None}
    steps = torch.randn((directions, *x.shape), dtype=x.dtype)
    along, slopes = [], []
    with torch.no_grad():
        for step in steps:
            values = []
            for sign in (1.0, -1.0):
                moved[wrt] = x + sign * eps * step
                values.append(float((submission.call(function, *moved, **kwargs).double()
                                     * upstream).sum()))
            slopes.append((values[0] - values[1]) / (2 * eps))
            along.append(float((grad * step).sum()))
    return {"gradient": grad, "autograd": torch.tensor(along, dtype=torch.float64),
            "difference": torch.tensor(slopes, dtype=torch.float64)}
