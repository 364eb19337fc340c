# breaks: split_dataset
import torch
from torch.utils.data import random_split


def split_dataset(dataset, val_fraction, seed):
    # int() truncates: 3.7 validation samples become 3, not 4.
    n_val = int(len(dataset) * val_fraction)
    generator = torch.Generator().manual_seed(seed)
    return tuple(random_split(dataset, [len(dataset) - n_val, n_val], generator=generator))
