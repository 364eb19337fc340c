"""Exercise 7 - Data pipelines.

PyTorch splits feeding data to a model into two jobs:

- a `Dataset` answers two questions: how many samples are there (`__len__`)
  and what is sample `i` (`__getitem__`), returning one `(input, target)` pair;
- a `DataLoader` draws indices from a dataset, groups the samples into
  batches and stacks them into tensors, shuffling when asked to.

Transforms (from `torchvision.transforms`) turn one raw sample, such as a PIL
image, into the tensor the model expects. They run inside `__getitem__`, one
sample at a time.

A reproducible experiment needs a reproducible validation split: the same
seed must give the same split on every run and every machine, so draw the
randomness from a `torch.Generator` you seed yourself, not from the global
random state.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Subset


def split_dataset(dataset: Dataset, val_fraction: float, seed: int) -> tuple[Subset, Subset]:
    """Split a dataset at random into a training part and a validation part.

    Every sample lands in exactly one of the two parts. The validation part has
    `round(len(dataset) * val_fraction)` samples and the training part the rest.
    The same `seed` always gives the same split; another seed gives another.

    Args:
        dataset: any dataset with a length.
        val_fraction: the share of samples to hold out, between 0 and 1.
        seed: seeds the random permutation.

    Returns:
        `(train, val)`, two `torch.utils.data.Subset` objects over `dataset`.

    Hint: `torch.utils.data.random_split(dataset, [n_train, n_val],
    generator=torch.Generator().manual_seed(seed))` does the whole job. Use
    Python's `round` for `n_val`, and do not touch the global random seed.
    """
    raise NotImplementedError


class TensorPairDataset(Dataset):
    """A dataset over two aligned sequences: `inputs[i]` goes with `targets[i]`.

    `TensorPairDataset(inputs, targets, transform=None)`:

    - `len(ds)` is the number of pairs;
    - `ds[i]` is `(transform(inputs[i]), targets[i])`, or `(inputs[i], targets[i])`
      when `transform` is None.

    Args:
        inputs: a tensor (or any indexable sequence) whose first dimension runs
            over samples, for example images of shape `(N, 1, 28, 28)`.
        targets: a tensor (or sequence) of length N, for example labels `(N,)`.
        transform: an optional callable applied to each input as it is read.

    Raises:
        ValueError: from the constructor, when `inputs` and `targets` have
            different lengths. Fail early with a clear message rather than with
            an IndexError halfway through an epoch.

    Hint: store the three arguments in `__init__`; apply the transform in
    `__getitem__`, not in `__init__`, so random augmentations differ per epoch.
    """

    def __init__(
        self,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        transform: Callable[[Any], Any] | None = None,
    ) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of `(input, target)` pairs."""
        raise NotImplementedError

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """The pair at `index`, with the transform applied to the input."""
        raise NotImplementedError


def make_loaders(
    train_ds: Dataset, val_ds: Dataset, batch_size: int
) -> tuple[DataLoader, DataLoader]:
    """Wrap the two datasets in DataLoaders.

    - Training: batches of `batch_size`, shuffled (a new order every epoch, so
      the model cannot learn the order).
    - Validation: batches of `batch_size`, in the dataset's order (shuffling
      there changes nothing but makes runs harder to compare).
    - Neither may drop a sample: the last batch may be smaller than the others.

    Args:
        train_ds: the training dataset.
        val_ds: the validation dataset.
        batch_size: samples per batch.

    Returns:
        `(train_loader, val_loader)`.

    Hint: `DataLoader(dataset, batch_size=..., shuffle=...)`; look up what
    `drop_last` does and make sure it is False.
    """
    raise NotImplementedError


def mnist_transform() -> Callable[[Any], torch.Tensor]:
    """The transform that prepares one MNIST image for a network.

    It takes a grayscale PIL image of size `W x H` with pixel values 0..255 and
    returns a float32 tensor of shape `(1, H, W)` with values in `[-1, 1]`:

    1. `ToTensor()` turns the image into a `(1, H, W)` float tensor in `[0, 1]`;
    2. `Normalize((0.5,), (0.5,))` maps it to `[-1, 1]` via `(t - 0.5) / 0.5`.

    Returns:
        a `torchvision.transforms.Compose` of those two steps, in that order.

    Hint: import inside the function, `from torchvision import transforms`
    (importing torchvision takes a moment, so only pay for it when needed).
    """
    raise NotImplementedError
