# variant: sgd_step
# The older style: update p.data, which autograd does not record, and zero the gradient in place.
def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data.sub_(lr * p.grad.data)
            p.grad.data.zero_()
