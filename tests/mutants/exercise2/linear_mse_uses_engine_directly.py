# breaks: linear_mse_grads
import torch
from torch.autograd.graph import _engine_run_backward


def linear_mse_grads(x, y, w, b):
    # Runs autograd's engine without going through backward() or torch.autograd.grad.
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    loss = ((w * x + b - y) ** 2).mean()
    return _engine_run_backward((loss,), (torch.ones_like(loss),), False, False, (w, b), False,
                                accumulate_grad=False)
