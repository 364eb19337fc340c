# breaks: linear_mse_grads
def linear_mse_grads(x, y, w, b):
    # Sums over the samples instead of averaging.
    r = w * x + b - y
    return (2 * r * x).sum(), (2 * r).sum()
