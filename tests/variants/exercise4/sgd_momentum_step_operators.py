# variant: sgd_momentum_step
# In-place operators only: *=, += and -= all write into the existing tensors.
def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is None:
                continue
            v *= momentum
            v += p.grad
            p -= lr * v
