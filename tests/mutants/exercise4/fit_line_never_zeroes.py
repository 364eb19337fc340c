# breaks: fit_line
import torch


def fit_line(x, y, lr=0.1, steps=1000):
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        ((w * x + b - y) ** 2).mean().backward()
        with torch.no_grad():
            # The gradients are never zeroed: every step uses the sum of all so far.
            w -= lr * w.grad
            b -= lr * b.grad
    return w.item(), b.item()
