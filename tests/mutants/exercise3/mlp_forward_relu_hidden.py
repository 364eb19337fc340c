# breaks: mlp_forward
def mlp_forward(x, w1, b1, w2, b2):
    hidden = (x @ w1 + b1).clamp(min=0)
    return softmax(hidden @ w2 + b2, dim=1)
