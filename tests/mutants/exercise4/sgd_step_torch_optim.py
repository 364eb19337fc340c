# breaks: sgd_step
import torch


def sgd_step(params, lr):
    optimizer = torch.optim.SGD([p for p in params if p.grad is not None], lr=lr)
    optimizer.step()
    optimizer.zero_grad()
