# breaks: linear_mse_grads
def linear_mse_grads(x, y, w, b):
    # Forgets the 2 from d(r**2)/dr.
    r = w * x + b - y
    return (r * x).mean(), r.mean()
