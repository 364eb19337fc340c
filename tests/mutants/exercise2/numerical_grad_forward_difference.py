# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # One-sided difference: error of order eps, not eps**2.
    point = x.detach().to(torch.float64).clone()
    grad = torch.zeros_like(point)
    base = float(f(point))
    for k in range(point.numel()):
        step = torch.zeros_like(point)
        step.view(-1)[k] = eps
        grad.view(-1)[k] = (float(f(point + step)) - base) / eps
    return grad
