# breaks: add_inplace_
def add_inplace_(x, y):
    # Builds a new tensor; the caller's x never changes.
    x = x + y
    return x
