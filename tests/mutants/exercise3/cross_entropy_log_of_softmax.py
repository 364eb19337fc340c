# breaks: cross_entropy
def cross_entropy(logits, targets):
    # log(softmax(...)) is -inf where the right class's probability rounds to 0.
    log_probs = softmax(logits, dim=1).log()
    return -log_probs.gather(1, targets.unsqueeze(1)).mean()
