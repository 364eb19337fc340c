# breaks: q_gradients
import torch


def q_gradients(a, b):
    # Differentiates sum(3a**3 + b**2): the wrong sign for b.
    a = a.detach().requires_grad_()
    b = b.detach().requires_grad_()
    q = (3 * a**3 + b**2).sum()
    return torch.autograd.grad(q, (a, b))
