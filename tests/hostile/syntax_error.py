# hostile: import
def cross_entropy(logits, targets)
    return 0
