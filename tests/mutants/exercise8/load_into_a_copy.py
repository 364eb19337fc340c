# breaks: load_checkpoint
import copy

import torch


def load_checkpoint(path, model, optimizer):
    # Loads into copies: the caller's model and optimizer never change.
    checkpoint = torch.load(path, weights_only=True)
    model = copy.deepcopy(model)
    model.load_state_dict(checkpoint["model"])
    optimizer = type(optimizer)(model.parameters(), **optimizer.defaults)
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
