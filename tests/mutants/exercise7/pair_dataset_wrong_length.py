# breaks: TensorPairDataset
from torch.utils.data import Dataset


class TensorPairDataset(Dataset):
    # Counts every number in the inputs, not the pairs.
    def __init__(self, inputs, targets, transform=None):
        if len(inputs) != len(targets):
            raise ValueError("inputs and targets differ in length")
        self.inputs, self.targets, self.transform = inputs, targets, transform

    def __len__(self):
        return self.inputs.numel()

    def __getitem__(self, index):
        x = self.inputs[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[index]
