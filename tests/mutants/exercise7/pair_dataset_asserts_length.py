# breaks: TensorPairDataset
from torch.utils.data import Dataset


class TensorPairDataset(Dataset):
    # An assert raises AssertionError, not the ValueError the contract asks for.
    def __init__(self, inputs, targets, transform=None):
        assert len(inputs) == len(targets), "lengths differ"
        self.inputs, self.targets, self.transform = inputs, targets, transform

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        x = self.inputs[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[index]
