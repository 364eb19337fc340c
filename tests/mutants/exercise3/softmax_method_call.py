# breaks: softmax
def softmax(x, dim=-1):
    # The library softmax, spelled as a tensor method: still forbidden.
    return x.softmax(dim)
