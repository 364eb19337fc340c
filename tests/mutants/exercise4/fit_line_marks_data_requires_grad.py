# breaks: fit_line
import torch


def fit_line(x, y, lr=0.1, steps=1000):
    x.requires_grad_(True)  # the data is not a parameter: this changes the caller's tensor
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        ((w * x + b - y) ** 2).mean().backward()
        sgd_step([w, b], lr)
    return w.item(), b.item()
