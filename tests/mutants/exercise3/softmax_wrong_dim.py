# breaks: softmax
def softmax(x, dim=-1):
    # Always normalises over the first dim, whatever dim was asked for.
    shifted = x - x.amax(dim=0, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=0, keepdim=True)
