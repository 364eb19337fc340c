# breaks: sgd_step
def sgd_step(params, lr):
    # The course notes' own update: through .data, no zeroing, no check for a missing grad.
    for f in params:
        f.data.sub_(f.grad.data * lr)
