# breaks: load_checkpoint
import torch


def load_checkpoint(path, model, optimizer):
    # weights_only=False unpickles anything, running whatever code the file names.
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
