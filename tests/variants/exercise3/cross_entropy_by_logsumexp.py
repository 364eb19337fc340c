# variant: cross_entropy
# logsumexp of each row minus its target's logit: -log_softmax written out, with no helper.
def cross_entropy(logits, targets):
    picked = logits.gather(1, targets[:, None]).squeeze(1)
    return (torch.logsumexp(logits, dim=1) - picked).mean()
