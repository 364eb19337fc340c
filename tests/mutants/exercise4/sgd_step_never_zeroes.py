# breaks: sgd_step
import torch


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is None:
                continue
            p.sub_(lr * p.grad)
            # The gradient is never zeroed: the next backward() adds to it.
