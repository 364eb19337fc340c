# breaks: softmax
import torch


def softmax(x, dim=-1):
    # Right values through NumPy: autograd can no longer see the computation.
    a = x.detach().numpy()
    e = __import__("numpy").exp(a - a.max(axis=dim, keepdims=True))
    return torch.from_numpy(e / e.sum(axis=dim, keepdims=True))
