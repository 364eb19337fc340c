# breaks: make_loaders
from torch.utils.data import DataLoader


def make_loaders(train_ds, val_ds, batch_size):
    # Shuffles the validation batches too.
    return (DataLoader(train_ds, batch_size=batch_size, shuffle=True),
            DataLoader(val_ds, batch_size=batch_size, shuffle=True))
