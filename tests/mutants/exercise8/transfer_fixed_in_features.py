# breaks: prepare_for_transfer
from torch import nn


def prepare_for_transfer(model, num_classes):
    # Assumes resnet18's 512 features instead of reading model.fc.in_features.
    for param in model.parameters():
        param.requires_grad_(False)
    model.fc = nn.Linear(512, num_classes)
    return model
