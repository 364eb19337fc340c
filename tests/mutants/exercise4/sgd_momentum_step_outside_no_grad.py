# breaks: sgd_momentum_step
def sgd_momentum_step(params, velocities, lr, momentum=0.9):
    for p, v in zip(params, velocities):
        if p.grad is None:
            continue
        v.mul_(momentum).add_(p.grad)
        p.sub_(lr * v)
