"""Probes for exercise 1: memory facts only visible where the student's code runs.

Whether a result shares storage with its input, whether a tensor and a NumPy
array are one block of memory, whether ``add_inplace_`` handed back the very
object it was given: none of this survives the trip to the grader, so it is
observed here and reported as data. The checks decide what is right.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode

# NumPy dtypes the checks try, by name (probe arguments travel as plain data).
NUMPY_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "uint8": np.uint8,
    "bool": np.bool_,
}


def numpy_array(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """The array the shared_from_numpy checks use; the grader builds the same one."""
    count = int(np.prod(shape, dtype=np.int64))
    values = np.arange(count) % 7 + 1  # 1..7: never the 0 the write test puts in
    if dtype == "bool":
        values = values % 2 == 1
    return values.astype(NUMPY_DTYPES[dtype]).reshape(shape)


def _first(t) -> tuple:
    return (0,) * t.dim()


def view_of_input(student, x: torch.Tensor) -> dict:
    """Does batch_flatten(x) share x's storage, and does a write to the result reach x?"""
    out = student.call("batch_flatten", x)
    if not isinstance(out, torch.Tensor) or out.numel() == 0:
        return {"value": out}
    report = {"value": out.detach().clone()}  # before the write test below changes it
    report["same_storage"] = out.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    marker = float(x.abs().max()) + 1000.0  # a value x does not hold
    with torch.no_grad():
        out[_first(out)] = marker
    report["write_reaches_input"] = bool(x[_first(x)] == marker)
    return report


def numpy_sharing(student, dtype: str, shape: tuple[int, ...]) -> dict:
    """Build an array, wrap it with the student's function, then write through each side."""
    array = numpy_array(dtype, shape)
    out = student.call("shared_from_numpy", array)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != array.shape:
        return {"value": out}
    report = {"value": out.detach().clone()}  # before the write tests below change it
    flip = dtype == "bool"
    # Tensor -> array: the first element. Array -> tensor: the last element.
    with torch.no_grad():
        out[_first(out)] = False if flip else 0
    report["tensor_write_shows_in_array"] = bool(array.flat[0] == (False if flip else 0))
    array.flat[-1] = (not array.flat[-1]) if flip else 0
    last = out.reshape(-1)[-1]
    report["array_write_shows_in_tensor"] = bool(last.item() == array.flat[-1])
    return report


def in_place_add(student, x: torch.Tensor, y: torch.Tensor) -> dict:
    """What add_inplace_(x, y) did to x, and whether it returned x itself."""
    storage = x.untyped_storage().data_ptr()
    y_before = y.clone()
    out = student.call("add_inplace_", x, y)
    return {
        "value": out,
        "returned_x": out is x,
        "x_after": x,
        "x_kept_its_storage": x.untyped_storage().data_ptr() == storage,
        "returned_storage_is_xs": isinstance(out, torch.Tensor)
        and out.untyped_storage().data_ptr() == storage,
        "y_unchanged": bool(torch.equal(y, y_before)),
    }


class _OpCounter(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # see grader.tracing: the default costs a 1 s import

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def op_count(student, function: str, *args) -> dict:
    """What one call returned and how many tensor operations it ran to get there.

    A Python loop runs a batch of operations per iteration; broadcasting runs a
    handful in all.
    """
    with _OpCounter() as counter:
        value = student.call(function, *args)
    return {"value": value, "ops": counter.count}
