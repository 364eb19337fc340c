# breaks: linear_mse_grads
import torch


def linear_mse_grads(x, y, w, b):
    # torch.autograd.grad is autograd too.
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    loss = ((w * x + b - y) ** 2).mean()
    return torch.autograd.grad(loss, (w, b))
