# variant: pick_device
# CUDA's first device when at least one is counted: 'cuda:0' is the device 'cuda' means by default.
def pick_device():
    return torch.device("cuda:0" if torch.cuda.device_count() > 0 else "cpu")
