# breaks: pick_device
import torch


def pick_device():
    # Never looks for CUDA: a GPU machine trains on the CPU.
    return torch.device("cpu")
