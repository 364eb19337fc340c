# variant: cross_entropy
# One entry per row by indexing with arange and the targets.
def cross_entropy(logits, targets):
    rows = torch.arange(len(targets))
    return -log_softmax(logits, dim=1)[rows, targets].mean()
