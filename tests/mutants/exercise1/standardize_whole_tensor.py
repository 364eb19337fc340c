# breaks: standardize_columns
def standardize_columns(x, eps=1e-8):
    # One mean and one std for the whole tensor, not one per column.
    return (x - x.mean()) / (x.std(unbiased=False) + eps)
