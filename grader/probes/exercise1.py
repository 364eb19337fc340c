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


def view_of_input(submission, x: torch.Tensor) -> dict:
    """batch_flatten(x): where its result's storage is, and what x holds after a write to it."""
    out = submission.call("batch_flatten", x)
    if not isinstance(out, torch.Tensor) or out.numel() == 0:
        return {"value": out}
    report = {
        "value": out.detach().clone(),  # before the write below changes it
        "result_storage": out.untyped_storage().data_ptr(),
        "input_storage": x.untyped_storage().data_ptr(),
        "marker": float(int(x.abs().max()) + 1000),  # x does not hold it; float32 does exactly
    }
    with torch.no_grad():
        out[_first(out)] = report["marker"]
    report["input_after_write"] = float(x[_first(x)])
    return report


def numpy_sharing(submission, dtype: str, shape: tuple[int, ...]) -> dict:
    """Wrap an array with the student's function, write through each side, read the other."""
    array = numpy_array(dtype, shape)
    out = submission.call("shared_from_numpy", array)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != array.shape:
        return {"value": out}
    report = {"value": out.detach().clone()}  # before the writes below change it
    # Tensor -> array: 0 (False) into the first element; array -> tensor: the last one flipped.
    with torch.no_grad():
        out[_first(out)] = 0
    report["array_first_after_tensor_write"] = array.flat[0].item()
    array.flat[-1] = (not array.flat[-1]) if dtype == "bool" else 0
    report["array_last_written"] = array.flat[-1].item()
    report["tensor_last_after_array_write"] = out.reshape(-1)[-1].item()
    return report


def in_place_add(submission, x: torch.Tensor, y: torch.Tensor) -> dict:
    """What add_inplace_(x, y) did to x and y, and whether it returned x itself."""
    storage = x.untyped_storage().data_ptr()
    out = submission.call("add_inplace_", x, y)
    return {
        "value": out,
        "returned_x": out is x,
        "x_after": x,
        "y_after": y,
        "storage_before": storage,
        "x_storage_after": x.untyped_storage().data_ptr(),
        "returned_storage": out.untyped_storage().data_ptr()
        if isinstance(out, torch.Tensor) else None,
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


def op_count(submission, function: str, *args) -> dict:
    """What one call returned and how many tensor operations it ran to get there.

    A Python loop runs a batch of operations per iteration; broadcasting runs a
    handful in all.
    """
    with _OpCounter() as counter:
        value = submission.call(function, *args)
    return {"value": value, "ops": counter.count}
