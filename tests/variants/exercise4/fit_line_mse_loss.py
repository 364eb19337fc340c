# variant: fit_line
# The loss from F.mse_loss (its default reduction is the mean), the update from sgd_step.
import torch.nn.functional as F


def fit_line(x, y, lr=0.1, steps=1000):
    w = torch.ones((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        F.mse_loss(w * x + b, y).backward()
        sgd_step([w, b], lr)
    return w.item(), b.item()
