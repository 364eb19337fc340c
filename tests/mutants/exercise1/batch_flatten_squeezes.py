# breaks: batch_flatten
import torch


def batch_flatten(images):
    # squeeze() also drops the batch dimension of a batch of one.
    return torch.flatten(images.squeeze(), start_dim=1)
