# breaks: outer_sum
def outer_sum(a, b):
    # squeeze() drops a dimension when a or b has a single element.
    return (a[:, None] + b).squeeze()
