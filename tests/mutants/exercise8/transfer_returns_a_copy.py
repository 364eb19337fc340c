# breaks: prepare_for_transfer
import copy

from torch import nn


def prepare_for_transfer(model, num_classes):
    # Prepares a copy and returns it; the model it was given is left as it was.
    model = copy.deepcopy(model)
    for param in model.parameters():
        param.requires_grad_(False)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
