# breaks: sgd_step
def sgd_step(params, lr):
    for p in params:
        if p.grad is None:
            continue
        # In place on a leaf that requires grad, while autograd records: PyTorch raises.
        p -= lr * p.grad
        p.grad.zero_()
