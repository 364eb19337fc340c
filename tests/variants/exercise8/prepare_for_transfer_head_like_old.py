# variant: prepare_for_transfer
# The flag set by assignment; the new head put on the old head's device and dtype.
def prepare_for_transfer(model, num_classes):
    for p in model.parameters():
        p.requires_grad = False
    old = model.fc
    model.fc = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    return model
