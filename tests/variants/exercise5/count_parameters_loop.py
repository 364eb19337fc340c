# variant: count_parameters
# A plain loop, skipping frozen parameters only when asked to.
def count_parameters(model, trainable_only=True):
    total = 0
    for p in model.parameters():
        if trainable_only and not p.requires_grad:
            continue
        total += p.numel()
    return total
