# breaks: prepare_for_transfer
from torch import nn


def prepare_for_transfer(model, num_classes):
    # Freezes after replacing the head: nothing is left to train.
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    for param in model.parameters():
        param.requires_grad_(False)
    return model
