# variant: linear_mse_grads
# The same chain rule, as sums divided by N.
def linear_mse_grads(x, y, w, b):
    x, y, w, b = x.detach(), y.detach(), w.detach(), b.detach()
    residual = w * x + b - y
    n = residual.numel()
    return 2 * (residual * x).sum() / n, 2 * residual.sum() / n
