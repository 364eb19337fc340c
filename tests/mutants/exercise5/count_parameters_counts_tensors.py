# breaks: count_parameters
def count_parameters(model, trainable_only=True):
    # The number of parameter tensors, not of scalars.
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])
