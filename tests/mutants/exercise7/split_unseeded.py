# breaks: split_dataset
from torch.utils.data import random_split


def split_dataset(dataset, val_fraction, seed):
    # Ignores the seed: draws from the global generator, a different split each call.
    n_val = round(len(dataset) * val_fraction)
    return tuple(random_split(dataset, [len(dataset) - n_val, n_val]))
