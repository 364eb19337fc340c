# breaks: sgd_momentum_step
import torch


def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            v.mul_(momentum).add_(p.grad)
            p.sub_(lr * v)
            # Clears the gradient, which the stub leaves to the caller.
            p.grad.zero_()
