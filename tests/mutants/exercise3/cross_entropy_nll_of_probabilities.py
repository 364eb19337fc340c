# breaks: cross_entropy
def cross_entropy(logits, targets):
    # Picks probabilities instead of log-probabilities.
    probs = softmax(logits, dim=1)
    return -probs.gather(1, targets.unsqueeze(1)).mean()
