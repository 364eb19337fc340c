# variant: build_mlp
# Named layers from an OrderedDict: the layers and their order are what count, not their keys.
from collections import OrderedDict


def build_mlp(sizes=(784, 128, 64, 10)):
    layers = OrderedDict()
    for i in range(len(sizes) - 1):
        if i:
            layers[f"relu{i}"] = nn.ReLU()
        layers[f"fc{i + 1}"] = nn.Linear(sizes[i], sizes[i + 1])
    layers["log_softmax"] = nn.LogSoftmax(dim=1)
    return nn.Sequential(layers)
