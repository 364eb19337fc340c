# variant: outer_sum
# a reshaped to a column and b to a row: (n, 1) + (1, m) broadcasts to (n, m).
def outer_sum(a, b):
    return a.reshape(-1, 1) + b.reshape(1, -1)
