# breaks: split_dataset
import torch
from torch.utils.data import Subset


def split_dataset(dataset, val_fraction, seed):
    # Draws val and train independently: they overlap and miss samples.
    n_val = round(len(dataset) * val_fraction)
    generator = torch.Generator().manual_seed(seed)
    val = torch.randperm(len(dataset), generator=generator)[:n_val].tolist()
    train = torch.randperm(len(dataset), generator=generator)[n_val:].tolist()
    return Subset(dataset, train), Subset(dataset, val)
