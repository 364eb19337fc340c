# breaks: standardize_columns
def standardize_columns(x, eps=1e-8):
    # No eps: a constant column gives 0 / 0 = NaN.
    return (x - x.mean(dim=0)) / x.std(dim=0, unbiased=False)
