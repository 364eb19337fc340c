import numpy as np
import torch


def batch_flatten(images):
    return images.reshape(images.shape[0], -1).clone()  # a copy, not a view


def standardize_columns(x, eps=1e-8):
    columns = [(x[:, j] - x[:, j].mean()) / (x[:, j].std(unbiased=False) + eps)
               for j in range(x.shape[1])]  # a Python loop
    return torch.stack(columns, dim=1)


def outer_sum(a, b):
    return torch.stack([a[i] + b for i in range(a.shape[0])])  # a Python loop


def shared_from_numpy(array):
    return torch.tensor(array)  # a copy


def add_inplace_(x, y):
    return x + y  # a new tensor
