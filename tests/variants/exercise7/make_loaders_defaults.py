# variant: make_loaders
# The batch size passed by position; shuffle=False and drop_last=False are DataLoader's defaults.
def make_loaders(train_ds, val_ds, batch_size):
    return DataLoader(train_ds, batch_size, shuffle=True), DataLoader(val_ds, batch_size)
