# breaks: TensorPairDataset
import torch
from torch.utils.data import Dataset


class TensorPairDataset(Dataset):
    # Transforms every input once, up front: a random augmentation never changes.
    def __init__(self, inputs, targets, transform=None):
        if len(inputs) != len(targets):
            raise ValueError("inputs and targets differ in length")
        if transform is not None:
            inputs = torch.stack([transform(x) for x in inputs])
        self.inputs, self.targets = inputs, targets

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return self.inputs[index], self.targets[index]
