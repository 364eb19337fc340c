# breaks: count_parameters
import torch


def count_parameters(model, trainable_only=True):
    sizes = [p.numel() for p in model.parameters() if p.requires_grad or not trainable_only]
    return torch.tensor(sizes).sum()
