# variant: sgd_momentum_step
# The new velocity computed out of place and copied into the caller's tensor.
def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.copy_(momentum * v + p.grad)
                p.add_(v, alpha=-lr)
