# variant: load_checkpoint
# Read from an open file, mapped straight onto the device the model's parameters are on.
def load_checkpoint(path, model, optimizer):
    device = next(model.parameters()).device
    with open(path, "rb") as file:
        checkpoint = torch.load(file, map_location=device, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
