# variant: sigmoid
# sigmoid(x) = (1 + tanh(x / 2)) / 2: tanh never overflows.
def sigmoid(x):
    return 0.5 * (1 + torch.tanh(x / 2))
