# variant: TensorPairDataset
# No transform stands for an identity function, so __getitem__ always calls one; the length from targets.
def _unchanged(x):
    return x


class TensorPairDataset(Dataset):
    def __init__(self, inputs, targets, transform=None):
        super().__init__()
        if len(inputs) != len(targets):
            raise ValueError("inputs and targets differ in length")
        self.inputs, self.targets = inputs, targets
        self.transform = _unchanged if transform is None else transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return self.transform(self.inputs[index]), self.targets[index]
