# variant: batch_flatten
# The batch size written out, the rest left to -1.
def batch_flatten(images):
    return images.reshape(images.shape[0], -1)
