# breaks: linear_mse_grads
def linear_mse_grads(x, y, w, b):
    # Right values, but builds the residual in the caller's y.
    r = y.neg_().add_(w * x + b)
    return (2 * r * x).mean(), (2 * r).mean()
