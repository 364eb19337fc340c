# variant: build_mlp
# Linear then ReLU for every pair, the trailing ReLU replaced by LogSoftmax.
def build_mlp(sizes=(784, 128, 64, 10)):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    layers[-1] = nn.LogSoftmax(dim=1)
    return nn.Sequential(*layers)
