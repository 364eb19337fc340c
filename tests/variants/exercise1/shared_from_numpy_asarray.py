# variant: shared_from_numpy
# torch.asarray shares the array's memory unless asked to copy or to change the dtype.
def shared_from_numpy(array):
    return torch.asarray(array)
