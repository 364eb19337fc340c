# breaks: load_checkpoint
import torch


def load_checkpoint(path, model, optimizer):
    # Restores everything but forgets to return the epoch.
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
