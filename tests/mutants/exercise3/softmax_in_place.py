# breaks: softmax
def softmax(x, dim=-1):
    # Right values, but it overwrites the caller's tensor and breaks autograd.
    x.sub_(x.amax(dim=dim, keepdim=True)).exp_()
    return x.div_(x.sum(dim=dim, keepdim=True))
