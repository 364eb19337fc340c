# variant: linear_mse_grads
# The sum of residual * x as a dot product, the mean as the sum over N.
def linear_mse_grads(x, y, w, b):
    residual = (w * x + b - y).detach()
    n = residual.numel()
    return 2 * torch.dot(residual, x.detach()) / n, 2 * residual.sum() / n
