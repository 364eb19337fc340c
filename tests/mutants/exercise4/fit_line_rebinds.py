# breaks: fit_line
import torch


def fit_line(x, y, lr=0.1, steps=1000):
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        ((w * x + b - y) ** 2).mean().backward()
        # New tensors, part of the graph: from the second step on w.grad is None.
        w = w - lr * w.grad
        b = b - lr * b.grad
    return w.item(), b.item()
