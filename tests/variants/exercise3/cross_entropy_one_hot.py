# variant: cross_entropy
# A one-hot mask picks each row's target; the sum over rows divided by N is the mean.
import torch.nn.functional as F


def cross_entropy(logits, targets):
    picked = (F.one_hot(targets, logits.shape[1]) * log_softmax(logits, dim=1)).sum(dim=1)
    return -picked.sum() / len(targets)
