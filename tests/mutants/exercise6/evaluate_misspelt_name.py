# breaks: evaluate
# A misspelt name: a NameError is told as it is, not as a device problem, and fit keeps its points.
def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            correct += (model(inputs).argmax(1) == targets).sum().item()
            total += len(targets)
    return corect / total
