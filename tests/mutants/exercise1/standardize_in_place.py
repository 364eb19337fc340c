# breaks: standardize_columns
def standardize_columns(x, eps=1e-8):
    # Right values, but it overwrites the caller's tensor.
    std = x.std(dim=0, unbiased=False)
    x -= x.mean(dim=0)
    x /= std + eps
    return x
