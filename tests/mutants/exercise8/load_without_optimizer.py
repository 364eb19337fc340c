# breaks: load_checkpoint
import torch


def load_checkpoint(path, model, optimizer):
    # Restores the weights but not the optimizer's state.
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    return int(checkpoint["epoch"])
