# breaks: mlp_forward
def mlp_forward(x, w1, b1, w2, b2):
    # Adds into the caller's input.
    hidden = sigmoid(x.mul_(1.0) @ w1 + b1)
    x.add_(1.0)
    return softmax(hidden @ w2 + b2, dim=1)
