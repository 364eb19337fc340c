# variant: TensorPairDataset
# The pairs zipped into a list up front; the transform still runs on every read.
class TensorPairDataset(Dataset):
    def __init__(self, inputs, targets, transform=None):
        if len(inputs) != len(targets):
            raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
        self.pairs = list(zip(inputs, targets))
        self.transform = transform

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        x, y = self.pairs[index]
        return (x if self.transform is None else self.transform(x)), y
