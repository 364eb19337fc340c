# breaks: make_loaders
from torch.utils.data import DataLoader


def make_loaders(train_ds, val_ds, batch_size):
    # Returns the loaders in the wrong order.
    return (DataLoader(val_ds, batch_size=batch_size),
            DataLoader(train_ds, batch_size=batch_size, shuffle=True))
