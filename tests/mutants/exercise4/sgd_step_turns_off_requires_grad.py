# breaks: sgd_step
def sgd_step(params, lr):
    for p in params:
        if p.grad is None:
            continue
        # Switching requires_grad off allows the in-place update, but it is never switched back.
        p.requires_grad_(False)
        p.sub_(lr * p.grad)
        p.grad.zero_()
