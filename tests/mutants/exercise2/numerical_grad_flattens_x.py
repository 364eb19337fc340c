# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # Calls f on a flattened x: right for elementwise functions only.
    point = x.detach().to(torch.float64).reshape(-1).clone()
    grad = torch.zeros_like(point)
    for k in range(point.numel()):
        step = torch.zeros_like(point)
        step[k] = eps
        grad[k] = (float(f(point + step)) - float(f(point - step))) / (2 * eps)
    return grad.reshape(x.shape)
