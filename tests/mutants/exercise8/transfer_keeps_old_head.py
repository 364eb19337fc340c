# breaks: prepare_for_transfer
def prepare_for_transfer(model, num_classes):
    # Unfreezes the old 1000-class head instead of building a new one.
    for param in model.parameters():
        param.requires_grad_(False)
    model.fc.requires_grad_(True)
    return model
