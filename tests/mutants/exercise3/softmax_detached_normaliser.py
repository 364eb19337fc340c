# breaks: softmax
def softmax(x, dim=-1):
    # The normaliser detached: the values are right, the gradient is not.
    e = (x - x.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True).detach()
