# variant: softmax
# exp of the student's own log_softmax.
def softmax(x, dim=-1):
    return log_softmax(x, dim=dim).exp()
