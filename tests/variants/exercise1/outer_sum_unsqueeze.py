# variant: outer_sum
# unsqueeze for the column, broadcasting against b's row.
def outer_sum(a, b):
    return a.unsqueeze(1) + b.unsqueeze(0)
