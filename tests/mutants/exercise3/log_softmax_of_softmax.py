# breaks: log_softmax
def log_softmax(x, dim=-1):
    # log of a probability that rounds to 0 is -inf.
    return softmax(x, dim=dim).log()
