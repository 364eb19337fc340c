# breaks: sgd_step
import torch


def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.sub_(lr * p.grad)
        # A second loop: model.parameters() is a generator, already used up here.
        for p in params:
            if p.grad is not None:
                p.grad.zero_()
