# breaks: count_parameters
def count_parameters(model, trainable_only=True):
    # The state_dict holds buffers too, and names a shared layer twice.
    return sum(t.numel() for t in model.state_dict().values())
