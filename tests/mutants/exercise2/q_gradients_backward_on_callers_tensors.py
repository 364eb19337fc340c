# breaks: q_gradients
def q_gradients(a, b):
    # Turns on requires_grad for the caller's tensors and leaves a .grad on them.
    a.requires_grad_(True)
    b.requires_grad_(True)
    q = (3 * a**3 - b**2).sum()
    q.backward()
    return a.grad.clone(), b.grad.clone()
