"""Probes for exercise 7: datasets, splits and loaders are live objects, so they are read here.

A probe builds a small dataset whose samples name themselves (sample i is i),
hands it to the student's code, and reports which samples came out where, in
which order, as plain lists. The checks decide whether that is right.
"""

from __future__ import annotations

import sys
import types

import torch
from torch.utils.data import Dataset, TensorDataset

# For Exercise.preload: torchvision, imported once in the fork-server (the quick way below)
# rather than in every worker, 0.14 s a submission.
TORCHVISION = f"{__name__}:preload_torchvision"


def preload_torchvision() -> None:
    """Import torchvision in about 0.15 s instead of 1.2 s.

    torchvision imports one helper from ``torch._dynamo.utils`` (used only by
    ``roi_align`` on some devices), and importing ``torch._dynamo`` costs a
    second. While torchvision loads, a stand-in answers that import; the
    stand-in imports the real helper if it is ever called. The stand-in is
    gone before any student code runs, so a later ``import torch._dynamo``
    gets the real module.
    """
    if "torchvision" in sys.modules or "torch._dynamo" in sys.modules:
        return
    stand_in = types.ModuleType("torch._dynamo.utils")

    def is_compile_supported(device_type):
        from torch._dynamo.utils import is_compile_supported as real

        return real(device_type)

    stand_in.is_compile_supported = is_compile_supported
    sys.modules["torch._dynamo.utils"] = stand_in
    try:
        import torchvision  # noqa: F401
        import torchvision.transforms  # noqa: F401
    finally:
        if sys.modules.get("torch._dynamo.utils") is stand_in:
            del sys.modules["torch._dynamo.utils"]


class Numbered(Dataset):
    """Sample i is the number i, so a split's members can be read straight off it."""

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index) -> int:
        index = int(index)
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} is out of range for a dataset of {self.size}")
        return index


def members(part) -> list:
    return [part[k] for k in range(len(part))]


def splits(submission, size: int, val_fraction: float, seeds: list[int]) -> dict:
    """split_dataset of one dataset with each seed in turn: who is in train, who in val."""
    dataset = Numbered(size)
    rng_before = torch.get_rng_state()
    results = []
    for seed in seeds:
        parts = submission.call("split_dataset", dataset, val_fraction, seed)
        if not isinstance(parts, (tuple, list)) or len(parts) != 2:
            return {"returned": type(parts).__name__}
        with submission.trace:
            results.append({"train": members(parts[0]), "val": members(parts[1])})
    return {"returned": "pair", "splits": results,
            "rng_before": rng_before, "rng_after": torch.get_rng_state()}


def _ids(batch) -> list[int]:
    if isinstance(batch, (list, tuple)):
        batch = batch[0]
    return torch.as_tensor(batch).reshape(-1).tolist()


def loader_batches(submission, train_size: int, val_size: int, batch_size: int,
                   epochs: int = 2) -> dict:
    """The batches make_loaders' two loaders give over a few epochs, as lists of sample ids.

    Training samples are 0..train_size-1; validation samples start at 1000.
    """
    train_ds = TensorDataset(torch.arange(train_size))
    val_ds = TensorDataset(torch.arange(1000, 1000 + val_size))
    loaders = submission.call("make_loaders", train_ds, val_ds, batch_size)
    if not isinstance(loaders, (tuple, list)) or len(loaders) != 2:
        return {"returned": type(loaders).__name__}
    train_loader, val_loader = loaders
    with submission.trace:
        train = [[_ids(b) for b in train_loader] for _ in range(epochs)]
        val = [[_ids(b) for b in val_loader] for _ in range(epochs)]
    return {"returned": "pair", "train": train, "val": val}


def scale_to_unit_sum(t):
    return t / t.sum()


def add_noise(t):
    return t + torch.rand_like(t)


TRANSFORMS = {"scale_to_unit_sum": scale_to_unit_sum, "add_noise": add_noise}


def pair_dataset(submission, inputs, targets, transform: str | None = None, times: int = 1) -> dict:
    """Build TensorPairDataset(inputs, targets[, transform=...]) and read every item ``times``."""
    cls = submission.module.TensorPairDataset
    with submission.trace:
        if transform is None:
            dataset = cls(inputs, targets)
        else:
            dataset = cls(inputs, targets, transform=TRANSFORMS[transform])
        length = len(dataset)
        reads = [[tuple(dataset[i]) for i in range(len(inputs))] for _ in range(times)]
    return {"length": length, "reads": reads}


def mismatched_pair_dataset(submission, inputs, targets) -> dict:
    """What TensorPairDataset does with inputs and targets of different lengths."""
    cls = submission.module.TensorPairDataset
    try:
        with submission.trace:
            cls(inputs, targets)
    except Exception as exc:
        return {"raised": type(exc).__name__, "is_value_error": isinstance(exc, ValueError)}
    return {"raised": None, "is_value_error": False}


def transformed_image(submission, pixels: torch.Tensor) -> dict:
    """mnist_transform() applied to a real grayscale PIL image with these pixels (H, W) uint8."""
    preload_torchvision()
    from PIL import Image

    image = Image.fromarray(pixels.numpy())  # a 2-D uint8 array gives a mode "L" image
    transform = submission.call("mnist_transform")
    with submission.trace:
        value = transform(image)
    return {"value": value, "transform": repr(transform)[:400]}
