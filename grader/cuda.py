"""Real CUDA for a GPU exercise's device checks (exercise6), where the machine has it.

Asked for with ``GRADER_DEVICE=cuda``: a Dask worker started with the ``GPU`` resource sets
it for its grading processes (grader/cluster.py), and an instructor may set it by hand for
``grade`` or ``grade batch`` on a GPU machine. Without it, or where CUDA does not work in
the worker, the device checks use the stand-in GPU (grader/fakedevice.py) as before.

The one rule here is fork safety. CUDA started in a process (even by
``torch.cuda.is_available()``, which calls ``cuInit``) cannot be used in a process forked
from it afterwards, and the grader forks: every worker is forked from the fork-server. So
only the worker that runs the student's code starts CUDA (``works``); everything before it
asks NVML (``visible``), as ``torch.cuda.device_count()`` does before CUDA has started.

Written for CUDA, and proven only on machines without it (the tests check the fallback);
``bench/gpu_proof.py`` is the check to run on a machine with a GPU.
"""

from __future__ import annotations

import functools
import os

import torch

VARIABLE = "GRADER_DEVICE"


def requested() -> bool:
    """This process was told it runs where there is a GPU to grade on."""
    return os.environ.get(VARIABLE) == "cuda"


@functools.cache
def visible() -> bool:
    """Whether this machine shows a CUDA device, asked without starting CUDA (NVML).

    Cached: the fork-server asks once (seeding, its warm-up) and every worker inherits the
    answer. Where NVML is missing torch asks CUDA itself, which is not fork-safe; NVML
    comes with NVIDIA's driver, so that is a machine without one.
    """
    return torch.cuda.device_count() > 0


def works() -> tuple[bool, str | None]:
    """(True, None) if CUDA runs a forward and a backward pass here, else (False, why).

    It starts CUDA: call it only in a grading worker, which forks nothing the grader uses.
    """
    if not torch.cuda.is_available():
        return False, (f"{VARIABLE}=cuda, but torch.cuda.is_available() is False in the "
                       "grading worker")
    try:
        x = torch.ones(2, 2, device="cuda", requires_grad=True)
        (x @ x).sum().backward()
        torch.cuda.synchronize()
    except Exception as exc:  # noqa: BLE001 - started in a parent, out of memory, ...: say so
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return False, (f"{VARIABLE}=cuda, but CUDA failed in the grading worker "
                       f"({type(exc).__name__}: {first})")
    return True, None
