# breaks: sigmoid
import torch


def sigmoid(x):
    # The textbook formula: its values are right (1 / inf is 0), but its backward is
    # exp(-x) / (1 + exp(-x))**2 = inf / inf = NaN at x = -100 and below.
    return 1 / (1 + torch.exp(-x))
