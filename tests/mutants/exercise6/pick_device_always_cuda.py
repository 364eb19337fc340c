# breaks: pick_device
import torch


def pick_device():
    # Assumes a GPU: fails on every machine without one.
    return torch.device("cuda")
