# breaks: outer_sum
import torch


def outer_sum(a, b):
    # Right values, one row at a time.
    return torch.stack([a[i] + b for i in range(len(a))])
