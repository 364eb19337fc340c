# breaks: fit_line
def fit_line(x, y, lr=0.1, steps=1000):
    # The least-squares formulas, no solver call and no gradient descent at all.
    xm, ym = x.mean(), y.mean()
    w = ((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum()
    return w.item(), (ym - w * xm).item()
