# breaks: count_parameters
def count_parameters(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters())
