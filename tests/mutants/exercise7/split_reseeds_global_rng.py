# breaks: split_dataset
import torch
from torch.utils.data import random_split


def split_dataset(dataset, val_fraction, seed):
    # Reproducible, but reseeds torch's global generator for the whole program.
    torch.manual_seed(seed)
    n_val = round(len(dataset) * val_fraction)
    return tuple(random_split(dataset, [len(dataset) - n_val, n_val]))
