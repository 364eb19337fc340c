# breaks: sgd_momentum_step
import torch


def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            # Rebinds the name v: the caller's velocity stays zero, so this is plain SGD.
            v = momentum * v + p.grad
            p.sub_(lr * v)
