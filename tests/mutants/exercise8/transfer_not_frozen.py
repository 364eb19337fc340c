# breaks: prepare_for_transfer
from torch import nn


def prepare_for_transfer(model, num_classes):
    # Replaces the head but leaves the backbone trainable.
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
