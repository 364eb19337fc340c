# variant: q_gradients
# backward() on fresh leaves of the caller's values, the gradients read from their .grad.
def q_gradients(a, b):
    a, b = a.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
    (3 * a**3 - b**2).sum().backward()
    return a.grad, b.grad
