# breaks: q_gradients
import torch


def q_gradients(a, b):
    # No .grad left behind, but the caller's requires_grad flags are switched on.
    a.requires_grad_(True)
    b.requires_grad_(True)
    q = (3 * a**3 - b**2).sum()
    return torch.autograd.grad(q, (a, b))
