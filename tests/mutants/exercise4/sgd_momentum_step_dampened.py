# breaks: sgd_momentum_step
import torch


def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            # A running average (dampening = momentum): not PyTorch's convention.
            v.mul_(momentum).add_((1 - momentum) * p.grad)
            p.sub_(lr * v)
