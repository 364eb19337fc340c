# breaks: sgd_momentum_step
import torch


def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    params, velocities = list(params), list(velocities)
    optimizer = torch.optim.SGD(params, lr=lr, momentum=momentum)
    for p, v in zip(params, velocities):
        optimizer.state[p]["momentum_buffer"] = v
    optimizer.step()
