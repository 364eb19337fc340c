# breaks: build_mlp
from torch import nn


def build_mlp(sizes=(784, 128, 64, 10)):
    # Written for the default sizes only.
    return nn.Sequential(
        nn.Linear(sizes[0], sizes[1]), nn.ReLU(),
        nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
        nn.Linear(sizes[2], sizes[3]), nn.LogSoftmax(dim=1),
    )
