"""Exercise 7 - Data pipelines (reference solution)."""

from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split


def split_dataset(dataset: Dataset, val_fraction: float, seed: int) -> tuple[Subset, Subset]:
    """A seeded random `(train, val)` split with `round(len * val_fraction)` for val."""
    n_val = round(len(dataset) * val_fraction)
    n_train = len(dataset) - n_val
    # A private generator: reproducible, and the global random state is left alone.
    generator = torch.Generator().manual_seed(seed)
    train, val = random_split(dataset, [n_train, n_val], generator=generator)
    return train, val


class TensorPairDataset(Dataset):
    """`(transform(inputs[i]), targets[i])` pairs; the transform is optional."""

    def __init__(
        self,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        transform: Callable[[Any], Any] | None = None,
    ) -> None:
        if len(inputs) != len(targets):
            raise ValueError(
                f"inputs and targets must have the same length, "
                f"got {len(inputs)} inputs and {len(targets)} targets"
            )
        self.inputs = inputs
        self.targets = targets
        self.transform = transform

    def __len__(self) -> int:
        """The number of `(input, target)` pairs."""
        return len(self.inputs)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """The pair at `index`, with the transform applied to the input."""
        x = self.inputs[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[index]


def make_loaders(
    train_ds: Dataset, val_ds: Dataset, batch_size: int
) -> tuple[DataLoader, DataLoader]:
    """Shuffled training batches, ordered validation batches, no sample dropped."""
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True, drop_last=False)
    val_loader = DataLoader(val_ds, batch_size=batch_size, shuffle=False, drop_last=False)
    return train_loader, val_loader


def mnist_transform() -> Callable[[Any], torch.Tensor]:
    """PIL grayscale image -> `(1, H, W)` float tensor in `[-1, 1]`."""
    # Imported here: torchvision is slow to import and only this task needs it.
    from torchvision import transforms

    return transforms.Compose(
        [
            transforms.ToTensor(),  # (1, H, W), float32 in [0, 1]
            transforms.Normalize((0.5,), (0.5,)),  # (t - 0.5) / 0.5: [0, 1] -> [-1, 1]
        ]
    )
