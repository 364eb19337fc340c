# breaks: init_weights_
from torch import nn


def init_weights_(model):
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            # 0.01 taken as the variance: std = sqrt(0.01) = 0.1.
            nn.init.normal_(module.weight, mean=0.0, std=0.01 ** 0.5)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model
