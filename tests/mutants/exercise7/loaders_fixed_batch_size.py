# breaks: make_loaders
from torch.utils.data import DataLoader


def make_loaders(train_ds, val_ds, batch_size):
    # Ignores the batch size it is given.
    return (DataLoader(train_ds, batch_size=32, shuffle=True),
            DataLoader(val_ds, batch_size=32))
