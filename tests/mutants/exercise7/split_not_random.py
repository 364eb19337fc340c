# breaks: split_dataset
from torch.utils.data import Subset


def split_dataset(dataset, val_fraction, seed):
    # The last samples are always the validation part: no shuffling at all.
    n_val = round(len(dataset) * val_fraction)
    n_train = len(dataset) - n_val
    return Subset(dataset, range(n_train)), Subset(dataset, range(n_train, len(dataset)))
