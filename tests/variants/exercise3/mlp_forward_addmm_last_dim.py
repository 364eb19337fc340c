# variant: mlp_forward
# torch.addmm for bias + matmul, and softmax over dim=-1 (the same dim for a 2-D batch).
def mlp_forward(x, w1, b1, w2, b2):
    hidden = sigmoid(torch.addmm(b1, x, w1))
    return softmax(torch.addmm(b2, hidden, w2), dim=-1)
