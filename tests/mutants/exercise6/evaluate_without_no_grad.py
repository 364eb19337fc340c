# breaks: evaluate
def evaluate(model, loader, device):
    # No torch.no_grad(): every batch builds a graph nobody uses.
    model.eval()
    correct, total = 0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        correct += (model(inputs).argmax(dim=1) == targets).sum().item()
        total += targets.numel()
    return correct / total
