# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # Loops over len(x): nudges whole rows at once, and fails on a 0-d x.
    point = x.detach().to(torch.float64).clone()
    grad = torch.zeros_like(point)
    for k in range(len(point)):
        step = torch.zeros_like(point)
        step[k] = eps
        grad[k] = (float(f(point + step)) - float(f(point - step))) / (2 * eps)
    return grad
