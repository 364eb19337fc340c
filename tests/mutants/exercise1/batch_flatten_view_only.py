# breaks: batch_flatten
def batch_flatten(images):
    # view() refuses a non-contiguous batch (a transposed one, say).
    return images.view(images.shape[0], -1)
