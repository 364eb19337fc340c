# breaks: make_loaders
from torch.utils.data import DataLoader


def make_loaders(train_ds, val_ds, batch_size):
    # drop_last=True throws the last, smaller training batch away.
    return (DataLoader(train_ds, batch_size=batch_size, shuffle=True, drop_last=True),
            DataLoader(val_ds, batch_size=batch_size))
