# breaks: evaluate
import torch


def evaluate(model, loader, device):
    # No model.eval(): dropout keeps dropping while measuring.
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
            total += targets.numel()
    return correct / total
