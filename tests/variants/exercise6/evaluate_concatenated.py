# variant: evaluate
# inference_mode; every batch's hits concatenated, the accuracy their mean as floats.
@torch.inference_mode()
def evaluate(model, loader, device):
    model.eval()
    hits = []
    for inputs, targets in loader:
        outputs = model(inputs.to(device))
        hits.append(outputs.argmax(dim=1) == targets.to(device))
    return torch.cat(hits).float().mean().item()
