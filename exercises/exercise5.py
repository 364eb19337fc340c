"""Exercise 5 - Networks with nn.Module.

An `nn.Module` owns its layers as attributes, assigned in `__init__`, and says
how data flows through them in `forward`. Assigning a layer to `self.name`
registers its parameters, so `model.parameters()`, `model.to(device)` and
`model.state_dict()` all find them. Layers with no parameters (ReLU, pooling)
can be called from `torch.nn.functional` inside `forward` instead.
"""

from collections.abc import Sequence

import torch
import torch.nn.functional as F  # noqa: F401  (you will want F.relu and F.max_pool2d)
from torch import nn


class LeNet(nn.Module):
    """LeNet-5 for 32x32 grayscale images.

    Submodules, with exactly these attribute names (so a `state_dict` saved from
    your model loads into the reference one):

        conv1 = nn.Conv2d(1, 6, 5)      (N, 1, 32, 32) -> (N, 6, 28, 28)
        conv2 = nn.Conv2d(6, 16, 5)     (N, 6, 14, 14) -> (N, 16, 10, 10)
        fc1   = nn.Linear(400, 120)     400 = 16 * 5 * 5
        fc2   = nn.Linear(120, 84)
        fc3   = nn.Linear(84, num_classes)

    With 10 classes the model has 61,706 parameters.
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`(N, 1, 32, 32) -> (N, num_classes)` raw scores (no softmax).

        conv1 -> relu -> 2x2 max-pool -> conv2 -> relu -> 2x2 max-pool
        -> flatten all but the batch dimension -> fc1 -> relu -> fc2 -> relu -> fc3

        Hint: `F.max_pool2d(x, 2)` halves height and width. Flatten with
        `torch.flatten(x, 1)`: `x.view(-1, 400)` hard-codes the feature count and,
        on an input of the wrong size, silently returns the wrong number of rows
        instead of raising. It must also work for a batch of one.
        """
        raise NotImplementedError


def build_mlp(sizes: Sequence[int] = (784, 128, 64, 10)) -> nn.Sequential:
    """A multilayer perceptron as an `nn.Sequential`.

    `sizes[0]` is the input width, `sizes[-1]` the number of classes. Build one
    `nn.Linear(sizes[i], sizes[i + 1])` per consecutive pair, an `nn.ReLU()`
    between two Linear layers (never after the last one), and `nn.LogSoftmax(dim=1)`
    at the end. For the default sizes:

        Linear(784, 128), ReLU, Linear(128, 64), ReLU, Linear(64, 10), LogSoftmax(dim=1)

    Shapes: `(N, sizes[0]) -> (N, sizes[-1])` log-probabilities, so
    `model(x).exp()` has rows that sum to one.

    Hint: collect the layers in a list, then `nn.Sequential(*layers)`.
    """
    raise NotImplementedError


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """The number of scalar parameters in `model`, as a Python int.

    Count every element of every parameter (`p.numel()`). When `trainable_only`
    is True, count only parameters with `requires_grad=True` (frozen layers are
    left out); when False, count them all.

    Example: `nn.Linear(3, 2)` has 3 * 2 weights + 2 biases = 8.

    Hint: `model.parameters()` already visits each parameter once, even if two
    layers share it.
    """
    raise NotImplementedError


def init_weights_(model: nn.Module) -> nn.Module:
    """Re-initialise `model` in place and return it (the trailing `_` means in place).

    For every `nn.Linear` and `nn.Conv2d` anywhere in `model` (nested ones too):
    draw the weight from a normal distribution with mean 0 and std 0.01, and set
    the bias (if the layer has one) to zero. Leave every other module alone.

    Hint: `model.modules()` walks the whole tree; `isinstance` picks the layers;
    `nn.init.normal_` and `nn.init.zeros_` write in place without autograd.
    """
    raise NotImplementedError
