# breaks: make_loaders
from torch.utils.data import DataLoader


def make_loaders(train_ds, val_ds, batch_size):
    # Training batches come in the same order every epoch.
    return (DataLoader(train_ds, batch_size=batch_size),
            DataLoader(val_ds, batch_size=batch_size))
