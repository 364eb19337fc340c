# breaks: init_weights_
from torch import nn


def init_weights_(model):
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.normal_(module.weight, mean=0.0, std=0.01)
            if module.bias is not None:
                nn.init.normal_(module.bias, mean=0.0, std=0.01)  # biases should be zero
    return model
