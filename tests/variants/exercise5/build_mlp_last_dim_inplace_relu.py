# variant: build_mlp
# LogSoftmax(dim=-1), the same dim as 1 for an (N, features) batch, and ReLUs that work in place.
def build_mlp(sizes=(784, 128, 64, 10)):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU(inplace=True))
    layers.append(nn.LogSoftmax(dim=-1))
    return nn.Sequential(*layers)
