"""My exercise 3, all my own work (honest)."""
import torch


def sigmoid(inp):
    """Logistic function."""
    # avoid overflow
    ex = torch.exp(
        -inp.abs()
    )
    return torch.where(inp >= 0, 1 / (1 + ex), ex / (1 + ex))



def softmax(t, dim=-1):
    """Softmax."""
    moved = t - t.amax(dim=dim, keepdim=True)   # stability
    ex = moved.exp()
    return ex / ex.sum(dim=dim,
                       keepdim=True)


def log_softmax(t, dim=-1):
    return t - torch.logsumexp(t, dim=dim, keepdim=True)


def cross_entropy(scores, labels):
    lp = log_softmax(scores, dim=1)
    chosen = lp.gather(1, labels.unsqueeze(1)).squeeze(1)
    return -chosen.mean()


def mlp_forward(inputs, weights1, bias1, weights2, bias2):
    h = sigmoid(inputs @ weights1 + bias1)
    return softmax(h @ weights2 + bias2, dim=1)
