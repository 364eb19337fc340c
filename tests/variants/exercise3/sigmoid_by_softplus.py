# variant: sigmoid
# sigmoid(x) = exp(-log(1 + exp(-x))), with logaddexp computing log(1 + exp(-x)) stably.
def sigmoid(x):
    return torch.exp(-torch.logaddexp(torch.zeros_like(x), -x))
