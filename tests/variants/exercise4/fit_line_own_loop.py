# variant: fit_line
# fit_line written without sgd_step: its own no_grad update, gradients set to None.
def fit_line(x, y, lr=0.1, steps=1000):
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        loss = torch.mean((w * x + b - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = b.grad = None
    return float(w), float(b)
