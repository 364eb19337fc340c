# breaks: sgd_step
import torch


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            # A parameter without a gradient has p.grad None: lr * None raises TypeError.
            p.sub_(lr * p.grad)
            p.grad.zero_()
