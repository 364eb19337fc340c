# breaks: add_inplace_
def add_inplace_(x, y):
    # Right values in the same object, but on freshly allocated memory.
    x.data = x + y
    return x
