# breaks: shared_from_numpy
import torch


def shared_from_numpy(array):
    # torch.tensor always copies: same values, separate memory.
    return torch.tensor(array)
