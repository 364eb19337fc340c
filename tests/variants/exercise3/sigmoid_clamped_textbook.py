# variant: sigmoid
# The textbook formula on inputs clamped to [-80, 80], where exp cannot overflow in float32.
def sigmoid(x):
    return 1 / (1 + torch.exp(-x.clamp(-80, 80)))
