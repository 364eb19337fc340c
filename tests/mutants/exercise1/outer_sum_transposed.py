# breaks: outer_sum
def outer_sum(a, b):
    # Rows follow b instead of a: (m, n) instead of (n, m).
    return b[:, None] + a
