# breaks: init_weights_
from torch import nn


def init_weights_(model):
    for module in model.modules():
        if isinstance(module, nn.Linear):  # Conv2d layers forgotten
            nn.init.normal_(module.weight, mean=0.0, std=0.01)
            nn.init.zeros_(module.bias)
    return model
