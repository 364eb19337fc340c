# breaks: standardize_columns
def standardize_columns(x, eps=1e-8):
    # The sample std (divide by N - 1), not the population std.
    return (x - x.mean(dim=0)) / (x.std(dim=0) + eps)
