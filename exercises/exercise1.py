"""Exercise 1 - Tensor basics.

A tensor is a block of memory (its *storage*) plus a description of how to
read it: a shape, strides and a dtype. Many operations only write a new
description and share the storage (views: `reshape` of a contiguous tensor,
`view`, indexing with slices, `torch.from_numpy`); others allocate new memory
(arithmetic like `x - m`). Knowing which is which tells you when a write to
one tensor shows up in another.

Two more ideas run through this exercise:

1. Broadcasting. When two shapes differ, PyTorch lines them up from the right
   and stretches every dimension of size 1 to match. A `(N, D)` tensor minus a
   `(D,)` tensor subtracts the same row from every row, with no Python loop.
2. In-place operations end with an underscore (`add_`, `mul_`, `zero_`). They
   change the tensor they are called on; everything else returns a new one.
   Unless a task says it works in place, never change your inputs.
"""

import numpy as np
import torch


def batch_flatten(images: torch.Tensor) -> torch.Tensor:
    """Flatten every sample of a batch into one row.

    Keep the first (batch) dimension and merge all the others: a batch of 32
    RGB images of shape `(32, 3, 28, 28)` becomes `(32, 2352)`.

    Args:
        images: shape `(N, *dims)`, for example `(N, C, H, W)`.

    Returns:
        shape `(N, prod(dims))`. When `images` is contiguous the result must be
        a view: it shares storage with `images`, so no data is copied.

    Hint: `reshape` returns a view whenever it can (`view` refuses a
    non-contiguous batch). Take the batch size from `images.shape[0]` and let
    `-1` stand for the rest; do not `squeeze`, which also drops the batch
    dimension of a batch of one.
    """
    raise NotImplementedError


def standardize_columns(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Give every column mean 0 and standard deviation 1.

    For each column `j`: `(x[:, j] - mean_j) / (std_j + eps)`, where `std_j` is
    the *population* standard deviation (divide by N, not N - 1). `eps` keeps a
    constant column from dividing by zero.

    Args:
        x: shape `(N, D)`: N samples, D features. Must not be changed.
        eps: small number added to the standard deviation.

    Returns:
        a new tensor of shape `(N, D)`.

    Hint: `x.mean(dim=0)` and `x.std(dim=0, unbiased=False)` give one value per
    column, shape `(D,)`; broadcasting then applies them to every row. No Python
    loops, and no in-place operations on `x`.
    """
    raise NotImplementedError


def outer_sum(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Every sum of one element of `a` and one element of `b`, as a table.

    `out[i, j] = a[i] + b[j]`. For example `a = [0, 10]`, `b = [1, 2, 3]` gives
    `[[1, 2, 3], [11, 12, 13]]`.

    Args:
        a: shape `(n,)`.
        b: shape `(m,)`.

    Returns:
        shape `(n, m)`.

    Hint: make `a` a column `(n, 1)` with `a[:, None]` (or `a.unsqueeze(1)`)
    and let broadcasting do the rest. No loops.
    """
    raise NotImplementedError


def shared_from_numpy(array: np.ndarray) -> torch.Tensor:
    """Wrap a NumPy array as a tensor without copying it.

    The tensor and the array must share memory: writing `t[0] = 5` must change
    `array[0]` too, and the other way round.

    Args:
        array: a NumPy array of any shape and a dtype PyTorch supports.

    Returns:
        a tensor with the same shape and the matching dtype (a float64 array
        gives a float64 tensor: do not convert it to float32).

    Hint: `torch.tensor(array)` always copies; there is a function made for
    exactly this job.
    """
    raise NotImplementedError


def add_inplace_(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Add `y` into `x` in place and return `x` itself.

    The trailing underscore in the name follows PyTorch's convention: this
    function changes its first argument.

    Args:
        x: any shape; it is modified.
        y: a tensor that broadcasts to the shape of `x` (for example a `(D,)`
            row added to every row of an `(N, D)` matrix).

    Returns:
        `x`, the very same tensor object, same storage, now holding `x + y`.

    Hint: `x = x + y` builds a new tensor and leaves the caller's `x`
    unchanged. Use the in-place method.
    """
    raise NotImplementedError
