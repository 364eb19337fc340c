# variant: standardize_columns
# The population std written out: the square root of the mean squared deviation.
def standardize_columns(x, eps=1e-8):
    centred = x - x.mean(dim=0, keepdim=True)
    std = (centred ** 2).mean(dim=0).sqrt()
    return centred / (std + eps)
