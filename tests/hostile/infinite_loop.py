# hostile: cross_entropy
def cross_entropy(logits, targets):
    while True:
        pass
