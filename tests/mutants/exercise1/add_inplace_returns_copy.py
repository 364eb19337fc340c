# breaks: add_inplace_
def add_inplace_(x, y):
    # Adds in place, then hands back a copy instead of x itself.
    x.add_(y)
    return x.clone()
