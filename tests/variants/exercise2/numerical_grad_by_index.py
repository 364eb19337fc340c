# variant: numerical_grad
# One coordinate at a time through a flat copy, the result shaped back like x.
def numerical_grad(f, x, eps=1e-6):
    flat = x.detach().to(torch.float64).reshape(-1).clone()
    grad = torch.zeros_like(flat)
    for k in range(flat.numel()):
        up, down = flat.clone(), flat.clone()
        up[k] += eps
        down[k] -= eps
        grad[k] = (f(up.reshape(x.shape)).item() - f(down.reshape(x.shape)).item()) / (2 * eps)
    return grad.reshape(x.shape)
