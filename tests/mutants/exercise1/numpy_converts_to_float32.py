# breaks: shared_from_numpy
import torch


def shared_from_numpy(array):
    # .float() turns a float64 (or integer) array into a float32 copy.
    return torch.from_numpy(array).float()
