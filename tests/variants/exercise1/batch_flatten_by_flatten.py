# variant: batch_flatten
# torch.flatten from dim 1 on: a view whenever one is possible, as reshape is.
def batch_flatten(images):
    return torch.flatten(images, start_dim=1)
