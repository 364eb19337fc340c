# breaks: split_dataset
import torch
from torch.utils.data import random_split


def split_dataset(dataset, val_fraction, seed):
    # Always seed 0: the same split whatever seed is asked for.
    n_val = round(len(dataset) * val_fraction)
    generator = torch.Generator().manual_seed(0)
    return tuple(random_split(dataset, [len(dataset) - n_val, n_val], generator=generator))
