import torch

def log_softmax(a, dim=-1):
    return a - torch.logsumexp(a, dim=dim, keepdim=True)

def softmax(a, dim=-1):
    s = a - a.amax(dim=dim, keepdim=True)
    z = s.exp()
    return z / z.sum(dim=dim, keepdim=True)

def sigmoid(a):
    z = torch.exp(-a.abs())
    return torch.where(a >= 0, 1 / (1 + z), z / (1 + z))

def mlp_forward(a, p, q, r, s):
    hidden_layer = sigmoid(a @ p + q)
    return softmax(hidden_layer @ r + s, dim=1)

def cross_entropy(a, y):
    logp = log_softmax(a, dim=1)
    got = logp.gather(1, y.unsqueeze(1)).squeeze(1)
    return -got.mean()
