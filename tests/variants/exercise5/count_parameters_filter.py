# variant: count_parameters
# filter keeps the trainable ones; numel of each, summed (0 for a model without parameters).
def count_parameters(model, trainable_only=True):
    params = model.parameters()
    if trainable_only:
        params = filter(lambda p: p.requires_grad, params)
    return sum(map(torch.numel, params))
