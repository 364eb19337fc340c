# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # Central difference divided by eps instead of 2 * eps: twice too large.
    point = x.detach().to(torch.float64).clone()
    grad = torch.zeros_like(point)
    for k in range(point.numel()):
        step = torch.zeros_like(point)
        step.view(-1)[k] = eps
        grad.view(-1)[k] = (float(f(point + step)) - float(f(point - step))) / eps
    return grad
