# breaks: build_mlp
from itertools import pairwise

from torch import nn


def build_mlp(sizes=(784, 128, 64, 10)):
    layers = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        if i > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)  # the final LogSoftmax is missing
