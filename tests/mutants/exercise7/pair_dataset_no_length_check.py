# breaks: TensorPairDataset
from torch.utils.data import Dataset


class TensorPairDataset(Dataset):
    # No length check: a mismatch only shows up as an IndexError mid-epoch.
    def __init__(self, inputs, targets, transform=None):
        self.inputs, self.targets, self.transform = inputs, targets, transform

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        x = self.inputs[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[index]
