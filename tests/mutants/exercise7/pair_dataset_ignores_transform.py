# breaks: TensorPairDataset
from torch.utils.data import Dataset


class TensorPairDataset(Dataset):
    # Stores the transform but never applies it.
    def __init__(self, inputs, targets, transform=None):
        if len(inputs) != len(targets):
            raise ValueError("inputs and targets differ in length")
        self.inputs, self.targets, self.transform = inputs, targets, transform

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return self.inputs[index], self.targets[index]
