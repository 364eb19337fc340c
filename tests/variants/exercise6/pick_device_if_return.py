# variant: pick_device
# An if statement with a return on each side, each building its torch.device.
def pick_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")
