# breaks: sgd_momentum_step
import torch


def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            # The other textbook convention, v = momentum * v + lr * grad; p -= v. With a
            # fixed lr the parameters move the same, but the velocity is not PyTorch's.
            v.mul_(momentum).add_(lr * p.grad)
            p.sub_(v)
