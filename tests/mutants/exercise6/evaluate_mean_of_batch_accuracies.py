# breaks: evaluate
import torch


def evaluate(model, loader, device):
    # Averages per-batch accuracies: a small last batch counts as much as a full one.
    model.eval()
    accuracies = []
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            accuracies.append((model(inputs).argmax(dim=1) == targets).float().mean().item())
    return sum(accuracies) / len(accuracies)
