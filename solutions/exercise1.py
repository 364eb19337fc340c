"""Exercise 1 - Tensor basics (reference solution)."""

import numpy as np
import torch


def batch_flatten(images: torch.Tensor) -> torch.Tensor:
    """`(N, *dims) -> (N, prod(dims))`, a view when `images` is contiguous."""
    # An explicit size (not -1) also works for an empty batch or no extra dims.
    return images.reshape(images.shape[0], images.shape[1:].numel())


def standardize_columns(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Each column minus its mean, divided by its population std plus `eps`."""
    mean = x.mean(dim=0)  # (D,), broadcast over the N rows
    std = x.std(dim=0, correction=0)  # correction=0 is unbiased=False: divide by N
    return (x - mean) / (std + eps)


def outer_sum(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """`out[i, j] = a[i] + b[j]`: a column `(n, 1)` plus a row `(m,)` broadcasts to `(n, m)`."""
    return a[:, None] + b


def shared_from_numpy(array: np.ndarray) -> torch.Tensor:
    """A tensor on the same memory as `array`, with its dtype."""
    return torch.from_numpy(array)


def add_inplace_(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """`x += y` in place; returns `x` itself."""
    return x.add_(y)
