# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # Always steps by 1e-6, whatever eps the caller asks for.
    point = x.detach().to(torch.float64).clone()
    grad = torch.zeros_like(point)
    for k in range(point.numel()):
        step = torch.zeros_like(point)
        step.view(-1)[k] = 1e-6
        grad.view(-1)[k] = (float(f(point + step)) - float(f(point - step))) / 2e-6
    return grad
