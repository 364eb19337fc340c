# breaks: numerical_grad
import torch


def numerical_grad(f, x, eps=1e-6):
    # Nudges the caller's x in place and "restores" it: rounding leaves x changed.
    grad = torch.zeros_like(x, dtype=torch.float64)
    flat = x.view(-1)
    for k in range(x.numel()):
        flat[k] += eps
        plus = float(f(x))
        flat[k] -= 2 * eps
        minus = float(f(x))
        flat[k] += eps
        grad.view(-1)[k] = (plus - minus) / (2 * eps)
    return grad
