# variant: mlp_forward
# Both layers as einsum contractions, the bias added as a broadcast row.
def mlp_forward(x, w1, b1, w2, b2):
    hidden = sigmoid(torch.einsum("nd,dh->nh", x, w1) + b1)
    return softmax(torch.einsum("nh,hk->nk", hidden, w2) + b2, dim=1)
