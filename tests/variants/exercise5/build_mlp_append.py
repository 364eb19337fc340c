# variant: build_mlp
# An empty nn.Sequential grown with append, a ReLU before every Linear but the first.
def build_mlp(sizes=(784, 128, 64, 10)):
    model = nn.Sequential()
    for i in range(len(sizes) - 1):
        if i:
            model.append(nn.ReLU())
        model.append(nn.Linear(sizes[i], sizes[i + 1]))
    return model.append(nn.LogSoftmax(dim=1))
