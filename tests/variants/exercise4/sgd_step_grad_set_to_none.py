# variant: sgd_step
# The update as p.add_(grad, alpha=-lr), and the gradient set to None instead of zeroed.
def sgd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-lr)
                p.grad = None
