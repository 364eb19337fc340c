# breaks: sgd_step
def sgd_step(params, lr):
    for p in params:
        if p.grad is None:
            continue
        grad = p.grad
        p.grad = None
        # Rebinds the local name p to a new tensor: the caller's parameter never moves.
        p = p - lr * grad
