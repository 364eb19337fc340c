# breaks: init_weights_
from torch import nn


def init_weights_(model):
    # Every parameter, BatchNorm's too: matrices drawn, vectors zeroed.
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.normal_(p, mean=0.0, std=0.01)
        else:
            nn.init.zeros_(p)
    return model
