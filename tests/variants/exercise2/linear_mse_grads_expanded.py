# variant: linear_mse_grads
# The gradients multiplied out into means of x, x*x, y and x*y.
def linear_mse_grads(x, y, w, b):
    x, y, w, b = x.detach(), y.detach(), w.detach(), b.detach()
    grad_w = 2 * (w * (x * x).mean() + b * x.mean() - (x * y).mean())
    grad_b = 2 * (w * x.mean() + b - y.mean())
    return grad_w, grad_b
