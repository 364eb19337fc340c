# variant: q_gradients
# torch.func.grad turns Q into a function returning its gradients; the caller's tensors are not touched.
def q_gradients(a, b):
    def q(a, b):
        return (3 * a**3 - b**2).sum()

    return torch.func.grad(q, argnums=(0, 1))(a.detach(), b.detach())
