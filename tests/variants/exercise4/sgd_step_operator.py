# variant: sgd_step
# The in-place operator under no_grad; the parameters with a gradient collected first.
def sgd_step(params, lr):
    with torch.no_grad():
        for p in [p for p in params if p.grad is not None]:
            p -= lr * p.grad
            p.grad.zero_()
