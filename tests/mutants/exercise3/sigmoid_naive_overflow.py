# breaks: sigmoid
import torch


def sigmoid(x):
    # exp(1e4) is inf, and inf / inf is NaN.
    return torch.exp(x) / (torch.exp(x) + 1)
