# variant: add_inplace_
# torch.add with out=x writes the sum into x's own storage; x is then returned.
def add_inplace_(x, y):
    torch.add(x, y, out=x)
    return x
