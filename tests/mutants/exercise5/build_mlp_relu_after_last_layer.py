# breaks: build_mlp
from itertools import pairwise

from torch import nn


def build_mlp(sizes=(784, 128, 64, 10)):
    layers = []
    for n_in, n_out in pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]  # a ReLU after the last Linear too
    layers.append(nn.LogSoftmax(dim=1))
    return nn.Sequential(*layers)
