"""Seeding, the same on both sides: the grader seeds its own inputs per check, the worker
seeds the student's code per call, so the same submission earns the same score every run.

Imports only what a worker has anyway (torch, NumPy), so the grader and the worker can share it.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from grader import cuda


def seed_torch(seed: int) -> None:
    """torch.manual_seed, without its cost where there is no GPU: it queues a lazy seeding
    for every accelerator backend, formatting the call stack three times (about 1 ms).
    Asked without starting CUDA: the fork-server seeds too (grader/cuda.py)."""
    if cuda.visible():
        torch.manual_seed(seed)
    else:
        torch.random.default_generator.manual_seed(seed)


def seed_everything(seed: int) -> None:
    """Python's, NumPy's and torch's generators, as a worker does before every call."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    seed_torch(seed)
