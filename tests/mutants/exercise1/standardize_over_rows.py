# breaks: standardize_columns
def standardize_columns(x, eps=1e-8):
    # Standardises each row instead of each column.
    mean = x.mean(dim=1, keepdim=True)
    std = x.std(dim=1, keepdim=True, unbiased=False)
    return (x - mean) / (std + eps)
