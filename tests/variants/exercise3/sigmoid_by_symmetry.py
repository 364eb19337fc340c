# variant: sigmoid
# sigmoid(-x) = 1 - sigmoid(x): the stable formula on |x|, mirrored for negative inputs.
def sigmoid(x):
    s = 1 / (1 + torch.exp(-x.abs()))
    return torch.where(x >= 0, s, 1 - s)
