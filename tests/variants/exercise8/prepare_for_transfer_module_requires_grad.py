# variant: prepare_for_transfer
# Module.requires_grad_(False) freezes every parameter at once; the new head comes after.
def prepare_for_transfer(model, num_classes):
    model.requires_grad_(False)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
